package io.labhub.recorder.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;

/**
 * The run of the tests that prove a bound on memory (HdfExportStreamTest, HdfReplayStreamTest, and the child JVM
 * ReplayChild that checks the replayed frames): {@value #FRAMES} frames of a u32 count and u16 pixels
 * [{@value #ROWS}, {@value #COLS}] (4 + 1 MiB), and as many raw payloads of about {@value #RAW} bytes, each byte
 * a function of its frame and place so that any frame can be checked alone.
 */
public final class BigRun {

    public static final int FRAMES = 100;
    public static final int ROWS = 512;
    public static final int COLS = 1024;
    /** the raw channel's longest payload */
    public static final int RAW = 1 << 20;

    private BigRun() {
    }

    /** pixel i of frame s: the whole u16 range */
    public static int pixel(long s, int i) {
        return (int) ((s * 131 + i * 7919L) & 0xFFFF);
    }

    /** byte i of raw payload s */
    public static byte raw(long s, int i) {
        return (byte) (s * 31 + i * 17);
    }

    /** the raw payloads' lengths differ, so zero padding to the longest (or a replay that sent it) shows */
    public static int rawLength(long s) {
        return RAW - (int) (s % 3) * 1000;
    }

    /** Spools the typed frames under {@code header} (its schema: a u32 count, then the pixels). */
    static void spoolFrames(Path spool, Spool.Header header) throws IOException {
        byte[] frame = new byte[4 + 2 * ROWS * COLS];
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        try (Spool s = new Spool(spool, header)) {
            for (long k = 0; k < FRAMES; k++) {
                b.putInt(0, (int) k);
                for (int i = 0; i < ROWS * COLS; i++) {
                    b.putShort(4 + 2 * i, (short) pixel(k, i));
                }
                s.append(k, 1_000 + k, 2_000 + k, 0, MemorySegment.ofArray(frame));
            }
        }
    }

    /** Spools the raw payloads under {@code header}, entry k with {@code skipped.applyAsLong(k)} skipped before it. */
    static void spoolRaw(Path spool, Spool.Header header, LongUnaryOperator skipped) throws IOException {
        byte[] payload = new byte[RAW];
        try (Spool s = new Spool(spool, header)) {
            for (long k = 0; k < FRAMES; k++) {
                for (int i = 0; i < RAW; i++) {
                    payload[i] = raw(k, i);
                }
                s.append(k, 1_000 + k, 2_000 + k, skipped.applyAsLong(k), MemorySegment.ofArray(payload).asSlice(0, rawLength(k)));
            }
        }
    }
}
