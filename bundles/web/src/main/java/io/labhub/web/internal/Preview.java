package io.labhub.web.internal;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A frame of an image channel as an 8-bit PNG: the image field is found from the schema (u8 {@code [h, w]} mono8,
 * u16 {@code [h, w]} mono16, u8 {@code [h, w, 3]} rgb8; a field named {@code pixels} first), scaled down by
 * whole steps to at most {@code max} pixels a side, and stretched between its own minimum and maximum
 * (auto-contrast). Pure: no hub, no state.
 */
final class Preview {

    /** Where the image is in a record and how it is laid out. */
    record Image(Field field, int height, int width, int channels) {
    }

    private Preview() {
    }

    /** @return the image field of this schema, or null when it has none the preview can draw */
    static Image image(Schema schema) {
        if (schema == null) {
            return null;
        }
        Image found = null;
        for (Field f : schema.fields()) {
            Image i = image(f);
            if (i != null && (found == null || f.name().equals("pixels"))) {
                found = i;
            }
        }
        return found;
    }

    private static Image image(Field f) {
        List<Integer> s = f.shape();
        if (s.size() == 2 && (f.dtype() == Dtype.U8 || f.dtype() == Dtype.U16)) {
            return new Image(f, s.get(0), s.get(1), 1);
        }
        if (s.size() == 3 && s.get(2) == 3 && f.dtype() == Dtype.U8) {
            return new Image(f, s.get(0), s.get(1), 3);
        }
        return null;
    }

    static String format(Image i) {
        return i.channels() == 3 ? "rgb8" : i.field().dtype() == Dtype.U16 ? "mono16" : "mono8";
    }

    /** @return the PNG of {@code frame}'s image, at most {@code max} pixels a side */
    static byte[] png(ChannelInfo info, Image image, FrameSnapshot frame, int max) throws IOException {
        if (frame.payload().length < image.field().offset() + image.field().byteSize()) {
            throw new LabHubException(ErrorCode.SEGMENT_INVALID, info.name().value() + "'s frame has " + frame.payload().length
                    + " bytes, shorter than its schema's image field " + image.field().name());
        }
        ByteBuffer b = ByteBuffer.wrap(frame.payload()).order(ByteOrder.LITTLE_ENDIAN);
        int step = Math.max(1, (Math.max(image.width(), image.height()) + max - 1) / max);
        int w = image.width() / step;
        int h = image.height() / step;
        int c = image.channels();
        boolean wide = image.field().dtype() == Dtype.U16;
        int base = image.field().offset();
        int[] v = new int[w * h * c];
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    long index = ((long) (y * step) * image.width() + (long) x * step) * c + k;
                    int p = wide ? Short.toUnsignedInt(b.getShort(base + (int) (2 * index))) : Byte.toUnsignedInt(b.get(base + (int) index));
                    v[(y * w + x) * c + k] = p;
                    lo = Math.min(lo, p);
                    hi = Math.max(hi, p);
                }
            }
        }
        double scale = hi > lo ? 255.0 / (hi - lo) : 0;
        BufferedImage img = new BufferedImage(w, h, c == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * c;
                if (c == 3) {
                    img.setRGB(x, y, (stretch(v[i], lo, scale) << 16) | (stretch(v[i + 1], lo, scale) << 8) | stretch(v[i + 2], lo, scale));
                } else {
                    img.getRaster().setSample(x, y, 0, stretch(v[i], lo, scale));
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static int stretch(int p, int lo, double scale) {
        return (int) Math.round((p - lo) * scale);
    }
}
