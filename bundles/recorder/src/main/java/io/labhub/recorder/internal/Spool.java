package io.labhub.recorder.internal;

import io.labhub.api.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One channel's entries while a run lasts, appended to a plain file: the HDF5 writer (jhdf 0.9.4) builds the
 * whole file in memory and writes it at close, it cannot append, so the run goes to a spool first and
 * {@link HdfExport} turns the spools into the HDF5 file at stop. Format (big-endian, DataOutput):
 * magic "LHSPOOL1", then per entry: sequence u64, producer timestamp ns, receive timestamp ns, skipped u64,
 * length i32, payload bytes. A torn last entry (crash) is ignored by {@link #read}.
 */
final class Spool implements AutoCloseable {

    static final long MAGIC = 0x4C4853504F4F4C31L; // "LHSPOOL1"

    private final Path path;
    private final DataOutputStream out;
    private byte[] copy = new byte[0];

    Spool(Path path) throws IOException {
        this.path = path;
        this.out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 20));
        out.writeLong(MAGIC);
    }

    Path path() {
        return path;
    }

    void append(long sequence, long timestampNs, long receivedNs, long skipped, MemorySegment payload) throws IOException {
        int n = Math.toIntExact(payload.byteSize());
        if (copy.length < n) {
            copy = new byte[n];
        }
        MemorySegment.copy(payload, ValueLayout.JAVA_BYTE, 0, copy, 0, n);
        out.writeLong(sequence);
        out.writeLong(timestampNs);
        out.writeLong(receivedNs);
        out.writeLong(skipped);
        out.writeInt(n);
        out.write(copy, 0, n);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** One spooled entry. */
    record Entry(long sequence, long timestampNs, long receivedNs, long skipped, byte[] payload) {
    }

    /** Calls {@code sink} for each complete entry; a foreign file is an InvalidInputException (rule recorder.spool). */
    static long read(Path path, Consumer<Entry> sink) {
        long n = 0;
        try (InputStream raw = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            long magic;
            try {
                magic = in.readLong();
            } catch (EOFException e) {
                throw new InvalidInputException("recorder.spool", path.toString(), "not a recorder spool (empty)");
            }
            if (magic != MAGIC) {
                throw new InvalidInputException("recorder.spool", path.toString(), "not a recorder spool");
            }
            while (true) {
                Entry e;
                try {
                    long seq = in.readLong();
                    long ts = in.readLong();
                    long recv = in.readLong();
                    long skipped = in.readLong();
                    int len = in.readInt();
                    if (len < 0) {
                        throw new InvalidInputException("recorder.spool", path.toString(), "negative entry length");
                    }
                    byte[] payload = in.readNBytes(len);
                    if (payload.length < len) {
                        return n; // torn last entry
                    }
                    e = new Entry(seq, ts, recv, skipped, payload);
                } catch (EOFException end) {
                    return n;
                }
                sink.accept(e);
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
