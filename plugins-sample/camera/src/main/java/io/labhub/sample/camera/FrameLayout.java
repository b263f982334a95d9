package io.labhub.sample.camera;

import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;

/**
 * The camera's frame, as written into one shared-memory slot (little-endian):
 *
 * <pre>
 *  0                   8                   16        20        24        28        32
 * +-------------------+-------------------+---------+---------+---------+---------+----------------
 * | sequence (long)   | timestamp ns (long)| width   | height  | format  | reserved| pixels ...
 * +-------------------+-------------------+---------+---------+---------+---------+----------------
 *                                                                                   width*height*2 bytes,
 *                                                                                   row-major, unsigned 16-bit
 * </pre>
 *
 * The same layout is the channel's schema ({@link #schema}, docs/schemas.md has it as the worked example),
 * and the numbers are also published as channel metadata ({@code headerBytes}, {@code width}, {@code height},
 * {@code pixelFormat}), so a consumer needs no class from this bundle: it reads the schema the broker hands
 * out, or the offsets documented here and in docs/walkthrough.md.
 */
public final class FrameLayout {
    public static final int SEQUENCE_OFFSET = 0;
    public static final int TIMESTAMP_OFFSET = 8;
    public static final int WIDTH_OFFSET = 16;
    public static final int HEIGHT_OFFSET = 20;
    public static final int FORMAT_OFFSET = 24;
    public static final int HEADER_BYTES = 32;
    /** Pixel format code of unsigned 16-bit monochrome, the only one this camera makes. */
    public static final int FORMAT_MONO16 = 1;
    public static final String FORMAT_MONO16_NAME = "mono16";

    private FrameLayout() {
    }

    /**
     * The frame as a schema, built from the constants above (they stay the truth): the header fields
     * packed, 4 bytes of padding (reserved), the pixels at {@link #HEADER_BYTES} as {@code u16[height,width]}.
     */
    public static Schema schema(int width, int height, String serial) {
        return Schema.builder()
                .field("sequence", Dtype.U64).at(SEQUENCE_OFFSET)
                .field("timestampNs", Dtype.I64).unit("ns").at(TIMESTAMP_OFFSET)
                .field("width", Dtype.U32).unit("px").at(WIDTH_OFFSET)
                .field("height", Dtype.U32).unit("px").at(HEIGHT_OFFSET)
                .field("format", Dtype.U32).at(FORMAT_OFFSET)
                .field("pixels", Dtype.U16, height, width).unit("counts").at(HEADER_BYTES)
                .attribute("pixelFormat", FORMAT_MONO16_NAME)
                .attribute("width", width)
                .attribute("height", height)
                .attribute("serial", serial)
                .build();
    }

    /** Bytes of one frame of that size. */
    public static int frameBytes(int width, int height) {
        return HEADER_BYTES + width * height * 2;
    }
}
