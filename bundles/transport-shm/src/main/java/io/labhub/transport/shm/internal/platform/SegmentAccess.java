package io.labhub.transport.shm.internal.platform;

/**
 * Who may open a segment besides its owner.
 *
 * @param group a group name that gets read/write access, or {@code null}/empty for owner-only
 */
public record SegmentAccess(String group) {

    /** Owner only ({@code rw-------}). */
    public static final SegmentAccess OWNER_ONLY = new SegmentAccess(null);

    public boolean hasGroup() {
        return group != null && !group.isBlank();
    }
}
