package io.labhub.sample.camera;

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
 * The same numbers are published as channel metadata ({@code headerBytes}, {@code width}, {@code height},
 * {@code pixelFormat}), so a consumer needs no class from this bundle: it reads the offsets documented here
 * and in docs/walkthrough.md.
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

    /** Bytes of one frame of that size. */
    public static int frameBytes(int width, int height) {
        return HEADER_BYTES + width * height * 2;
    }
}
