package io.labhub.recorder.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The text of why a channel's recording (or a run's file) stopped, as {@code RecordingStatus} reports it: a full
 * disk is named as such (rule {@code recorder.diskFull}), any other failure of the disk ({@code recorder.io}) or of
 * the channel ({@code recorder.consumer}) by its deepest cause.
 */
final class RecorderFailures {

    private RecorderFailures() {
    }

    /** @param channel the channel, or null for the run's HDF5 file */
    static String of(String channel, Path path, Throwable e) {
        Throwable deepest = io.labhub.api.text.FailureText.deepest(e);
        String what = channel == null ? "the file " + path : "channel " + channel + " (spool " + path + ")";
        if (diskFull(e)) {
            return "recorder.diskFull: the disk is full writing " + what
                    + "; what was written until then is kept";
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return "recorder.io: writing " + what + " failed: " + deepest;
        }
        return "recorder.consumer: reading " + what + " failed: " + deepest;
    }

    /** ENOSPC: Java has no type for it, only the OS's text ("No space left on device" on Linux). */
    static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if ((t instanceof IOException || t instanceof UncheckedIOException) && t.getMessage() != null
                    && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
