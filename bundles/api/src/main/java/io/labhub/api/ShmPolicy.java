package io.labhub.api;

/** What a shared-memory producer does when a consumer has not yet read the slot it wants to reuse. */
public enum ShmPolicy {
    /** The producer never waits; a slow consumer skips ahead to newer frames and the skip is counted. */
    LATEST,
    /**
     * The producer waits for the slowest live consumer, at most {@link ShmOptions#reliableTimeout()};
     * a consumer that stops heartbeating (or holds the producer past the timeout) is dropped and counted.
     */
    RELIABLE
}
