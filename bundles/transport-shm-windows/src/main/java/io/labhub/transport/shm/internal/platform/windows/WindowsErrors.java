package io.labhub.transport.shm.internal.platform.windows;

import io.labhub.api.ChannelNotFoundException;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.transport.shm.internal.platform.ShmPlatform.WaitResult;

/** GetLastError codes and wait results to LabHub outcomes (portable, so tested on any OS). */
public final class WindowsErrors {

    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_ALREADY_EXISTS = 183;
    public static final int ERROR_COMMITMENT_LIMIT = 1455;

    public static final int WAIT_OBJECT_0 = 0;
    public static final int WAIT_ABANDONED = 0x80;
    public static final int WAIT_TIMEOUT = 0x102;
    public static final int WAIT_FAILED = 0xFFFFFFFF;

    private WindowsErrors() {
    }

    /** The exception for a failed kernel32 call. */
    public static LabHubException failure(String call, String segment, int lastError) {
        String where = call + " for segment " + segment;
        return switch (lastError) {
            case ERROR_FILE_NOT_FOUND -> new ChannelNotFoundException(where + ": no such mapping (the producer is gone)");
            case ERROR_ACCESS_DENIED -> new LabHubException(ErrorCode.SEGMENT_INVALID, where
                    + ": access denied (created by another user or session)");
            case ERROR_ALREADY_EXISTS -> new LabHubException(ErrorCode.INTERNAL, where + ": the name already exists");
            case ERROR_NOT_ENOUGH_MEMORY, ERROR_COMMITMENT_LIMIT -> new LabHubException(ErrorCode.INTERNAL, where
                    + ": not enough memory or pagefile for the segment (error " + lastError + ")");
            case ERROR_INVALID_PARAMETER -> new LabHubException(ErrorCode.INTERNAL, where + ": invalid parameter");
            default -> new LabHubException(ErrorCode.INTERNAL, where + ": Windows error " + lastError);
        };
    }

    /** What WaitForSingleObject's result means for the ring. */
    public static WaitResult waitResult(int result, int lastError) {
        return switch (result) {
            case WAIT_OBJECT_0, WAIT_ABANDONED -> WaitResult.WOKEN;
            case WAIT_TIMEOUT -> WaitResult.TIMED_OUT;
            default -> throw new LabHubException(ErrorCode.INTERNAL, "WaitForSingleObject returned " + result
                    + ", Windows error " + lastError);
        };
    }
}
