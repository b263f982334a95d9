package io.labhub.transport.shm.internal.platform;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.text.SafeText;

/**
 * Segment names: {@code labhub-} and 128 random bits in hex. Unrelated to the channel name, so another
 * local user cannot guess (and pre-create or open) a channel's segment from its name. A name received
 * from the broker is checked against the same pattern before it touches the file system.
 */
public final class SegmentNames {

    public static final String PREFIX = "labhub-";
    private static final Pattern VALID = Pattern.compile("labhub-[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentNames() {
    }

    public static String random() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return PREFIX + HexFormat.of().formatHex(bits);
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    public static void check(String name) {
        if (!isValid(name)) {
            throw new LabHubException(ErrorCode.SEGMENT_INVALID, "not a LabHub segment name: "
                    + SafeText.display(name)
                    + " (expected labhub- and 32 hex digits)");
        }
    }
}
