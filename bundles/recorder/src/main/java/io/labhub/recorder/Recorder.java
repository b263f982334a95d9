package io.labhub.recorder;

import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * As {@link #start(List, Path)}, waiting up to {@code waitForChannels} for channels that are not there yet
     * (a {@code .cfg} that starts a recording with the runtime, before its drivers).
     *
     * @throws io.labhub.api.ChannelNotFoundException when a channel is still not there after the wait
     * @throws io.labhub.api.InvalidInputException also rule {@code recorder.kind} for a request/reply channel
     */
    RecordingStatus start(List<String> channels, Path file, Duration waitForChannels);

    /**
     * Stops the running recording and writes its file.
     *
     * @return its final status (not recording if none ran); when the file could not be written (a full disk, a
     *         damaged spool) its {@code fileError} says why, nothing is at the file's path and the spools are kept
     */
    RecordingStatus stop();

    RecordingStatus status();

    /**
     * Turns the spools a crashed run left beside {@code file} ({@code FILE.0.spool}, {@code FILE.1.spool}, ...)
     * into {@code file}: every whole frame they hold (the last chunk written before the crash, at most
     * {@code 1 MiB} plus one frame lost), with the attribute {@code recovered="true"}; the spools are deleted once
     * the file is written.
     *
     * @return the frames written per channel; {@code fileError} says why the file could not be written
     * @throws io.labhub.api.InvalidInputException rule {@code recorder.recover} when no spool is there,
     *         {@code recorder.spool} for a foreign or damaged spool, {@code recorder.file} when the file exists,
     *         {@code recorder.busy} while this file is being recorded
     */
    RecordingStatus recover(Path file);
}
