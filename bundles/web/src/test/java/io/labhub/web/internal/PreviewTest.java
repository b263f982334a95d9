package io.labhub.web.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import io.labhub.api.ChannelInfo;
import io.labhub.api.ChannelKind;
import io.labhub.api.ChannelName;
import io.labhub.api.ChannelState;
import io.labhub.api.FrameSnapshot;
import io.labhub.api.LabHubException;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.Test;

public class PreviewTest {

    private static ChannelInfo info(Schema s) {
        return new ChannelInfo(new ChannelName("cam.frames"), ChannelKind.SHM, "key", "seg", null, Map.of(), 0, ChannelState.ACTIVE, s);
    }

    private static BufferedImage read(byte[] png) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    public void mono16IsStretchedBetweenItsOwnMinimumAndMaximumAndScaledByWholeSteps() throws Exception {
        Schema s = Schema.builder().field("seq", Dtype.U64).at(0).field("pixels", Dtype.U16, 4, 8).at(8).build();
        Preview.Image image = Preview.image(s);
        assertEquals("mono16", Preview.format(image));
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * 32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) {
            b.putShort(8 + 2 * i, (short) (1000 + 10 * i)); // 1000 .. 1310: a narrow band of a 16-bit range
        }
        BufferedImage full = read(Preview.png(info(s), image, new FrameSnapshot(1, 0, b.array()), 8));
        assertEquals(8, full.getWidth());
        assertEquals(4, full.getHeight());
        assertEquals(0, full.getRaster().getSample(0, 0, 0));
        assertEquals(255, full.getRaster().getSample(7, 3, 0));
        BufferedImage half = read(Preview.png(info(s), image, new FrameSnapshot(1, 0, b.array()), 4));
        assertEquals(4, half.getWidth());
        assertEquals(2, half.getHeight());
    }

    @Test
    public void rgb8KeepsItsColoursAndAFlatImageIsBlackNotADivisionByZero() throws Exception {
        Schema s = Schema.builder().field("pixels", Dtype.U8, 1, 2, 3).at(0).build();
        Preview.Image image = Preview.image(s);
        assertEquals("rgb8", Preview.format(image));
        BufferedImage rgb = read(Preview.png(info(s), image, new FrameSnapshot(1, 0, new byte[] {(byte) 255, 0, 0, 0, 0, (byte) 255}), 16));
        assertEquals(0xff0000, rgb.getRGB(0, 0) & 0xffffff);
        assertEquals(0x0000ff, rgb.getRGB(1, 0) & 0xffffff);
        Schema mono = Schema.builder().field("pixels", Dtype.U8, 2, 2).at(0).build();
        BufferedImage flat = read(Preview.png(info(mono), Preview.image(mono), new FrameSnapshot(1, 0, new byte[] {7, 7, 7, 7}), 16));
        assertEquals(0, flat.getRaster().getSample(1, 1, 0));
    }

    @Test
    public void aSchemaWithoutAnImageOrAShortFrameIsRefused() {
        assertNull(Preview.image(Schema.builder().field("celsius", Dtype.F64).at(0).build()));
        assertNull(Preview.image(null));
        Schema s = Schema.builder().field("pixels", Dtype.U16, 4, 4).at(0).build();
        assertThrows(LabHubException.class, () -> Preview.png(info(s), Preview.image(s), new FrameSnapshot(1, 0, new byte[10]), 16));
    }
}
