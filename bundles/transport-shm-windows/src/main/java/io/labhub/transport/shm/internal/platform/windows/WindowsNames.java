package io.labhub.transport.shm.internal.platform.windows;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import io.labhub.api.InvalidInputException;
import io.labhub.transport.shm.internal.platform.SegmentNames;

/**
 * Kernel object names, security descriptor strings and argument encodings (portable, so tested on any OS).
 *
 * <p>Namespace: objects live in {@code Local\} by default, the namespace of the creator's logon session,
 * which needs no privilege; a service in session 0 cannot reach a user session's {@code Local\} objects
 * (nor they its). {@code Global\} (configuration {@code windowsNamespace = Global}) is seen from every
 * session, but creating a file mapping there needs SeCreateGlobalPrivilege (services, administrators).
 */
public final class WindowsNames {

    public static final String LOCAL = "Local";
    public static final String GLOBAL = "Global";
    /** The default namespace prefix. */
    public static final String NAMESPACE = LOCAL + "\\";
    /** MapViewOfFile offsets must be multiples of the allocation granularity (64 KiB on every Windows). */
    public static final long ALLOCATION_GRANULARITY = 64 * 1024;
    private static final Pattern SID = Pattern.compile("S-1(-[0-9]+){1,15}");

    private WindowsNames() {
    }

    /**
     * The object-name prefix for a configured namespace: {@code Local} (default, also for null or empty) or
     * {@code Global}, case-insensitive, with or without the trailing backslash.
     *
     * @throws InvalidInputException for anything else
     */
    public static String namespace(String configured) {
        String n = configured == null ? "" : configured.strip();
        if (n.endsWith("\\")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.toLowerCase(Locale.ROOT).equals("local")) {
            return LOCAL + "\\";
        }
        if (n.toLowerCase(Locale.ROOT).equals("global")) {
            return GLOBAL + "\\";
        }
        throw new InvalidInputException("shm.windowsNamespace", configured,
                "the Windows object namespace is Local (default, this logon session) or Global (all sessions; "
                        + "creating needs SeCreateGlobalPrivilege)");
    }

    /** {@code labhub-<hex>} to {@code Local\labhub-<hex>}; refuses names that are not LabHub's. */
    public static String mappingName(String segmentName) {
        return mappingName(NAMESPACE, segmentName);
    }

    /** {@code labhub-<hex>} in namespace {@code prefix} (from {@link #namespace}). */
    public static String mappingName(String prefix, String segmentName) {
        SegmentNames.check(segmentName);
        return prefix + segmentName;
    }

    /**
     * Consumer-table entry {@code entry}'s auto-reset event: {@code <ns>labhub-<hex>-w<entry>}, named from the
     * segment and the entry, so producer and consumer open the same object and a wake reaches that entry only.
     */
    public static String eventName(String prefix, String segmentName, int entry) {
        if (entry < 0) {
            throw new IllegalArgumentException("entry " + entry);
        }
        return mappingName(prefix, segmentName) + "-w" + entry;
    }

    /**
     * The security descriptor (SDDL) of every object LabHub creates: a protected DACL granting GENERIC_ALL to
     * SYSTEM and to the creating user's SID only (explicit, so it does not depend on the token's default DACL,
     * which for an elevated creator is owner, SYSTEM and administrators, and for others may differ).
     *
     * @throws InvalidInputException when {@code userSid} is not a SID string
     */
    public static String securityDescriptor(String userSid) {
        if (userSid == null || !SID.matcher(userSid).matches()) {
            throw new InvalidInputException("shm.userSid", String.valueOf(userSid), "not a SID string (S-1-...)");
        }
        return "D:P(A;;GA;;;SY)(A;;GA;;;" + userSid + ")";
    }

    /**
     * Refuses a group on Windows: segments there are shared by their creating user only. A group would have
     * to be in every object's DACL, including the per-entry events a consumer may create first, and a
     * consumer does not know the producer's group; so it is refused rather than silently ignored.
     *
     * @throws InvalidInputException when {@code group} is set
     */
    public static void refuseGroup(String group) {
        if (group != null && !group.isBlank()) {
            throw new InvalidInputException("shm.fileGroup", group,
                    "a group is not supported on Windows: segments are shared by the creating user (and SYSTEM) only; "
                            + "run producers and consumers as one user and leave fileGroup empty");
        }
    }

    /** A {@code LPCWSTR}: UTF-16LE with a terminating NUL character. */
    public static byte[] wide(String text) {
        byte[] chars = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] out = new byte[chars.length + 2];
        System.arraycopy(chars, 0, out, 0, chars.length);
        return out;
    }

    /** The high DWORD of a 64-bit size or offset. */
    public static int high(long value) {
        return (int) (value >>> 32);
    }

    /** The low DWORD of a 64-bit size or offset. */
    public static int low(long value) {
        return (int) value;
    }

    /** The view offset to ask MapViewOfFile for, so that {@code offset} lies inside the view. */
    public static long alignDown(long offset) {
        return offset - Math.floorMod(offset, ALLOCATION_GRANULARITY);
    }

    /** A relative timeout in nanoseconds as WaitForSingleObject milliseconds (rounded up, below INFINITE). */
    public static int waitMillis(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        long ms = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(ms, Integer.MAX_VALUE); // far below INFINITE (0xFFFFFFFF)
    }
}
