package io.labhub.recorder.internal;

import io.jhdf.AbstractWritableNode;
import io.jhdf.Constants;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.NodeType;
import io.jhdf.api.WritableDataset;
import io.jhdf.exceptions.HdfWritingException;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.OrderedDataType;
import io.jhdf.object.message.AttributeInfoMessage;
import io.jhdf.object.message.AttributeMessage;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage.ContiguousDataLayoutMessage;
import io.jhdf.object.message.DataSpace;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.object.message.DataTypeMessage;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.Message;
import io.jhdf.storage.HdfFileChannel;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A contiguous dataset whose bytes come from a {@link Source} when jhdf writes the file, not from an array held
 * until then: the recorder's export streams a run from its spools through this, one row at a time.
 *
 * <p>Written against jhdf 0.13.0, which has no streaming writer (its {@code WritableDatasetImpl} takes the whole
 * array, and {@code WritableHdfFile} writes every node only at close) but whose {@code WritableGroup.putDataset}
 * accepts "an instance of {@link WritableDataset}" to "specialize what type of dataset you want to provide"
 * ({@code WritableGroupImpl.putDataset}, lines 103-125 of 0.13.0): the group then calls this node's
 * {@link #write(HdfFileChannel, long)} at close. That method is {@code WritableDatasetImpl.write}'s contiguous
 * branch of 0.13.0 (lines 299-355) line for line (the same messages in the same order: datatype, dataspace, no
 * fill value, a placeholder layout swapped for the real one, the attributes in the node's own map order; the data
 * right after the object header, the channel left at its end), so the file is byte for byte what putting the
 * same values as a Java array writes ({@code StreamedDatasetTest} compares the two). Only the data differs in
 * where it comes from. A dataset of records has a {@link RecordType}, which jhdf cannot write itself: the same
 * messages, with that type's datatype message. Check this class again when jhdf is upgraded.
 */
final class StreamedDataset extends AbstractWritableNode implements WritableDataset {

    /** Writes every row of the dataset, in order, into {@code rows}: exactly {@link #getSizeInBytes()} bytes. */
    interface Source {
        void writeTo(Rows rows);
    }

    /** Room for this many bytes is the only buffer the data goes through. */
    static final int BUFFER = 1 << 20;

    private final DataType dataType;
    private final DataSpace dataSpace;
    private final Source source;

    /**
     * @param type       the Java element type jhdf would be given the array in (byte, short, int, long, float, double)
     * @param unsigned   as {@code DatasetCreationOptions.unsigned()}: an integer type written as HDF5 unsigned
     * @param dimensions the dataset's shape, as the array's would be
     */
    StreamedDataset(String name, Group parent, Class<?> type, boolean unsigned, long[] dimensions, Source source) {
        super(parent, name);
        // the type and dataspace jhdf infers from an array of this element type and rank, then given the real shape
        int[] ones = new int[dimensions.length];
        Arrays.fill(ones, 1);
        Object prototype = Array.newInstance(type, ones);
        this.dataType = DataType.fromObject(prototype, unsigned);
        this.dataSpace = DataSpace.modifyDimensions(DataSpace.fromObject(prototype), dimensions);
        this.source = source;
    }

    /**
     * A dataset of {@code records} {@code [entries]} of a record schema's compound type: each row is a message's
     * first {@code schema.size()} bytes as the wire has them (little-endian), which the type describes.
     */
    StreamedDataset(String name, Group parent, RecordType records, long entries, Source source) {
        super(parent, name);
        this.dataType = records;
        this.dataSpace = DataSpace.modifyDimensions(DataSpace.fromObject(new byte[1]), new long[] {entries});
        this.source = source;
    }

    /** What a {@link Source} writes into: the values in the dataset's byte order, through one bounded buffer. */
    static final class Rows {
        private final HdfFileChannel channel;
        private final ByteBuffer buffer;
        private final boolean swap;
        private long written;

        private Rows(HdfFileChannel channel, ByteOrder order) {
            this.channel = channel;
            this.buffer = ByteBuffer.allocate(BUFFER).order(order);
            this.swap = order != ByteOrder.LITTLE_ENDIAN;
        }

        private void room(int bytes) {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void putByte(byte v) {
            room(1);
            buffer.put(v);
        }

        void putInt(int v) {
            room(4);
            buffer.putInt(v);
        }

        void putLong(long v) {
            room(8);
            buffer.putLong(v);
        }

        /**
         * {@code length} bytes of little-endian elements of {@code elementSize} bytes each (a schema's wire order),
         * put in the dataset's order (the same bytes on a little-endian machine).
         */
        void putLittleEndian(byte[] src, int offset, int length, int elementSize) {
            if (swap && elementSize > 1) {
                for (int e = 0; e < length; e += elementSize) {
                    room(elementSize);
                    for (int j = elementSize - 1; j >= 0; j--) {
                        buffer.put(src[offset + e + j]);
                    }
                }
                return;
            }
            while (length > 0) {
                room(1);
                int n = Math.min(length, buffer.remaining());
                buffer.put(src, offset, n);
                offset += n;
                length -= n;
            }
        }

        void zeros(long count) {
            while (count > 0) {
                room(1);
                int n = (int) Math.min(count, buffer.remaining());
                Arrays.fill(buffer.array(), buffer.arrayOffset() + buffer.position(),
                        buffer.arrayOffset() + buffer.position() + n, (byte) 0);
                buffer.position(buffer.position() + n);
                count -= n;
            }
        }

        private void flush() {
            buffer.flip();
            while (buffer.hasRemaining()) {
                written += channel.write(buffer); // relative: the channel ends where jhdf's own write leaves it
            }
            buffer.clear();
        }
    }

    @Override
    public long write(HdfFileChannel hdfFileChannel, long position) {
        List<Message> messages = new ArrayList<>();
        messages.add(DataTypeMessage.create(dataType));
        messages.add(DataSpaceMessage.create(dataSpace));
        messages.add(FillValueMessage.NO_FILL);
        int layout = messages.size();
        messages.add(ContiguousDataLayoutMessage.create(Constants.UNDEFINED_ADDRESS, Constants.UNDEFINED_ADDRESS));
        if (!getAttributes().isEmpty()) {
            messages.add(AttributeInfoMessage.create());
            for (Map.Entry<String, Attribute> attribute : getAttributes().entrySet()) {
                messages.add(AttributeMessage.create(attribute.getKey(), attribute.getValue()));
            }
        }
        int headerSize = new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer().limit();
        long dataAddress = position + headerSize;
        long dataSize = getSizeInBytes();

        hdfFileChannel.position(dataAddress);
        // fixed or floating point in their order; a record's bytes as they are (its type says little-endian)
        Rows rows = new Rows(hdfFileChannel,
                dataType instanceof OrderedDataType o ? o.getByteOrder() : ByteOrder.LITTLE_ENDIAN);
        source.writeTo(rows);
        rows.flush();
        if (rows.written != dataSize) {
            throw new HdfWritingException("dataset " + getPath() + ": its source wrote " + rows.written
                    + " bytes, its shape " + Arrays.toString(dataSpace.getDimensionsAsLong()) + " holds " + dataSize);
        }

        messages.set(layout, ContiguousDataLayoutMessage.create(dataAddress, dataSize));
        hdfFileChannel.write(new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer(), position);
        return dataAddress + dataSize;
    }

    @Override
    public long getSize() {
        return dataSpace.getTotalLength();
    }

    @Override
    public long getSizeInBytes() {
        return getSize() * dataType.getSize();
    }

    @Override
    public long getStorageInBytes() {
        return getSizeInBytes();
    }

    @Override
    public int[] getDimensions() {
        return dataSpace.getDimensions();
    }

    @Override
    public long[] getDimensionsAsLong() {
        return dataSpace.getDimensionsAsLong();
    }

    @Override
    public boolean isScalar() {
        return false;
    }

    @Override
    public boolean isEmpty() {
        return false;
    }

    @Override
    public boolean isCompound() {
        return dataType instanceof RecordType;
    }

    @Override
    public boolean isVariableLength() {
        return false;
    }

    @Override
    public long[] getMaxSize() {
        return dataSpace.getMaxSizes();
    }

    @Override
    public DataLayout getDataLayout() {
        return DataLayout.CONTIGUOUS;
    }

    @Override
    public Object getData() {
        throw new HdfWritingException("a streamed dataset has its data only while the file is written");
    }

    @Override
    public Object getDataFlat() {
        return getData();
    }

    @Override
    public Object getData(long[] sliceOffset, int[] sliceDimensions) {
        return getData();
    }

    @Override
    public Class<?> getJavaType() {
        return dataType.getJavaType();
    }

    @Override
    public DataType getDataType() {
        return dataType;
    }

    @Override
    public Object getFillValue() {
        return null;
    }

    @Override
    public List<PipelineFilterWithData> getFilters() {
        return List.of();
    }

    @Override
    public NodeType getType() {
        return NodeType.DATASET;
    }

    @Override
    public boolean isGroup() {
        return false;
    }

    @Override
    public long getAddress() {
        throw new HdfWritingException("Address not known until written");
    }

    @Override
    public boolean isLink() {
        return false;
    }

    @Override
    public boolean isAttributeCreationOrderTracked() {
        return false;
    }
}
