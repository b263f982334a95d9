package io.labhub.recorder;

import io.labhub.api.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * Replays a recording (an HDF5 file the {@link Recorder} wrote, layout: docs/recording.md): each recorded channel
 * becomes a producer of the same kind and schema that publishes the recorded payloads with the recorded timing
 * (the deltas of {@code timestampNs}, divided by the rate). A consumer tells a replay from the instrument only by
 * the channel metadata {@code replay=true} and {@code source=<file>}. Each replayed channel runs on its own
 * thread; several replays may run at once.
 *
 * <p>Errors are typed ({@link InvalidInputException}): {@code replay.file} (not a recording, truncated, or a
 * schema or dataset that does not match), {@code replay.channel} (no such channel in the file),
 * {@code replay.as} ({@code as} with more than one channel), {@code replay.rate}, {@code replay.consumers};
 * a name that is already registered is refused by the Hub itself.
 */
public interface Replayer {

    /** {@link Options#rate()} for "no waiting": every frame as fast as the producer takes it. */
    double MAX = Double.POSITIVE_INFINITY;

    /**
     * Starts replaying {@code file}.
     *
     * @return the status of each replayed channel, in file order
     */
    List<Status> start(Path file, Options options);

    /**
     * Stops the replay of channel {@code name}, or every replay when {@code name} is {@code null}.
     *
     * @return the final status of the replays stopped
     * @throws InvalidInputException rule {@code replay.name} when no replay of that name ran
     */
    List<Status> stop(String name);

    /** @return every replay started since activation, running or ended, in start order */
    List<Status> status();

    /**
     * What to replay and how.
     *
     * @param channel   the recorded channel to replay, or {@code null} for every channel of the file
     * @param as        the name to publish it under ({@code null}: the recorded name); needs one channel
     * @param rate      the speed: 1 = the recorded timing, 2 = twice as fast, {@link #MAX} = no waiting
     * @param loop      whether to start again after the last entry (the producer's sequence goes on)
     * @param consumers shm: wait for this many attached consumers before the first frame (0: do not wait), so a
     *                  consumer opened after the producer misses nothing
     */
    record Options(String channel, String as, double rate, boolean loop, int consumers) {

        /** Every channel, under its own name, at the recorded timing, once. */
        public static final Options DEFAULTS = new Options(null, null, 1, false, 0);

        public Options {
            if (!(rate > 0)) { // also NaN
                throw new InvalidInputException("replay.rate", Double.toString(rate), "a rate is more than 0");
            }
            if (consumers < 0) {
                throw new InvalidInputException("replay.consumers", Integer.toString(consumers), "0 or more consumers");
            }
        }

        /**
         * @param text {@code max}, or a positive number followed by {@code x} ({@code 1x}, {@code 0.5x}, {@code 10x})
         * @return the rate
         * @throws InvalidInputException rule {@code replay.rate} for anything else
         */
        public static double rate(String text) {
            if ("max".equals(text)) {
                return MAX;
            }
            String shown = text == null ? "" : text.length() > 40 ? text.substring(0, 40) : text;
            if (text != null && text.endsWith("x") && text.matches("[0-9]+(\\.[0-9]+)?x")) {
                double r = Double.parseDouble(text.substring(0, text.length() - 1));
                if (r > 0 && Double.isFinite(r)) {
                    return r;
                }
            }
            throw new InvalidInputException("replay.rate", shown, "a rate is max or a positive number and x: 1x, 0.5x, 10x");
        }

        public Options withChannel(String c) {
            return new Options(c, as, rate, loop, consumers);
        }

        public Options withAs(String name) {
            return new Options(channel, name, rate, loop, consumers);
        }

        public Options withRate(double r) {
            return new Options(channel, as, r, loop, consumers);
        }

        public Options withLoop(boolean on) {
            return new Options(channel, as, rate, on, consumers);
        }

        public Options withConsumers(int n) {
            return new Options(channel, as, rate, loop, n);
        }
    }

    /**
     * One replayed channel.
     *
     * @param name    the channel it publishes
     * @param channel the recorded channel it replays
     * @param file    the recording
     * @param state   {@code waiting} (for consumers), {@code running}, {@code done} (the last entry published),
     *                {@code stopped} or {@code failed}
     * @param frames  entries published so far, every pass counted
     * @param passes  passes started (more than 1 only with {@code loop})
     * @param error   why it failed, or {@code null}
     */
    record Status(String name, String channel, Path file, String state, long frames, long passes, String error) {
    }
}
