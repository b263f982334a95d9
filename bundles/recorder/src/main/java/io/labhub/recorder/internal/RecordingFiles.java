package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.api.Node;
import io.labhub.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads back what the recorder wrote; anything else is a typed error (rule {@code recorder.file}). */
public final class RecordingFiles {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private RecordingFiles() {
    }

    /** @return the recorded channels and their entry counts, in file order */
    public static Map<String, Long> channels(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SIGNATURE.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Arrays.equals(head, SIGNATURE)) {
            throw new InvalidInputException("recorder.file", file.toString(), "not an HDF5 file");
        }
        try (HdfFile h5 = new HdfFile(file)) {
            if (h5.getAttribute("labhub.recording") == null) {
                throw new InvalidInputException("recorder.file", file.toString(), "an HDF5 file the recorder did not write");
            }
            Map<String, Long> out = new LinkedHashMap<>();
            for (Node n : h5) {
                Object entries = n.getAttribute("entries") == null ? null : n.getAttribute("entries").getData();
                out.put(n.getName(), entries instanceof Number x ? x.longValue() : 0L);
            }
            return out;
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) { // jhdf's HdfException and buffer errors on a truncated file
            throw new InvalidInputException("recorder.file", file.toString(), "unreadable HDF5 file: " + e.getMessage());
        }
    }
}
