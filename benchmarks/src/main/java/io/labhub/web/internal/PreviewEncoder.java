package io.labhub.web.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.FrameSnapshot;
import java.io.IOException;

/**
 * The web console's preview encoding ({@link Preview}, package-private in the bundle) for the benchmark's
 * {@code preview} group, which runs it on the class path beside a camera producer: the same code the
 * console's {@code /api/preview} runs, not a copy.
 */
public final class PreviewEncoder {

    private final ChannelInfo info;
    private final Preview.Image image;

    /** @throws IllegalArgumentException when the channel's schema has no image field the preview can draw */
    public PreviewEncoder(ChannelInfo info) {
        this.info = info;
        this.image = Preview.image(info.schema());
        if (image == null) {
            throw new IllegalArgumentException(info.name() + " has no image field in its schema");
        }
    }

    /** The console's rate limit: one frame read and encoded per this many nanoseconds, whatever the viewers. */
    public static long intervalNanos() {
        return PreviewServlet.MIN_INTERVAL_NANOS;
    }

    /** The console's default size (pixels a side). */
    public static int defaultMax() {
        return PreviewServlet.DEFAULT_MAX;
    }

    public byte[] png(FrameSnapshot frame, int max) throws IOException {
        return Preview.png(info, image, frame, max);
    }
}
