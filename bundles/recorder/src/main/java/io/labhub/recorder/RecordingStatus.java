package io.labhub.recorder;

import java.nio.file.Path;
import java.util.Map;

/**
 * @param recording whether a run is going on
 * @param file      the run's HDF5 file (the last one after stop), or {@code null} when none ran
 * @param frames    frames recorded so far per channel
 * @param gaps      sequence numbers the producer skipped past this consumer (ring overruns), per channel
 * @param errors    why a channel stopped recording before {@code stop} (its consumer or spool failed, the disk was
 *                  full: text beginning with the rule, {@code recorder.diskFull} or {@code recorder.io}), per channel
 * @param fileError null once the HDF5 file is written; else why it was not, beginning with the rule
 *                  ({@code recorder.diskFull}, {@code recorder.io}, or at stop {@code recorder.spool} for a damaged
 *                  spool): nothing is left at {@code file} (the export writes {@code FILE.part} and renames it only
 *                  when complete), the spools are kept beside it for {@link Recorder#recover})
 */
public record RecordingStatus(boolean recording, Path file, Map<String, Long> frames, Map<String, Long> gaps,
                              Map<String, String> errors, String fileError) {

    public RecordingStatus {
        frames = Map.copyOf(frames);
        gaps = Map.copyOf(gaps);
        errors = Map.copyOf(errors);
    }
}
