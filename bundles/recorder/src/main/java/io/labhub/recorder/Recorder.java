package io.labhub.recorder;

import java.nio.file.Path;
import java.util.List;

/**
 * Records channels into one HDF5 file (layout: docs/recording.md). One recording at a time: {@link #start}
 * while one runs is refused. Frames are spooled while the run lasts; {@link #stop} writes the HDF5 file.
 */
public interface Recorder {

    /**
     * Starts recording {@code channels} (shm channels) into {@code file}.
     *
     * @throws io.labhub.api.InvalidInputException rule {@code recorder.busy} while a recording runs,
     *         {@code recorder.channels} for an empty list, {@code recorder.file} when the file exists
     */
    RecordingStatus start(List<String> channels, Path file);

    /** Stops the running recording and writes its file; @return its final status (not recording if none ran) */
    RecordingStatus stop();

    RecordingStatus status();
}
