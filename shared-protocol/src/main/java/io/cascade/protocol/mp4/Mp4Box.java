package io.cascade.protocol.mp4;

/**
 * A box (ISO/IEC 14496-12 4.2) inside a buffer that holds its whole parent: its type and the bounds of its payload,
 * after the header. Reading a box's fields goes through {@link #cursor()}, which checks every read against the end of
 * the box, so a size that lies cannot make a parser read a neighbour's bytes or past the buffer.
 */
record Mp4Box(int type, byte[] buffer, int start, int end) {
    /** Bytes of the size and type fields; the 64-bit largesize follows them when size is 1. */
    static final int HEADER_LENGTH = 8;
    static final int LARGE_HEADER_LENGTH = 16;

    /** The payload of a whole buffer (the moov or moof read from the file) as a box to walk. */
    static Mp4Box of(int type, byte[] buffer) {
        return new Mp4Box(type, buffer, 0, buffer.length);
    }

    Cursor cursor() {
        return new Cursor(this);
    }

    /** The first child of this type, or null: children fill the payload from its start (containers have no fields). */
    Mp4Box child(int childType) throws Mp4Exception {
        return child(childType, 0);
    }

    /** The first child of this type; an {@link Mp4Exception} naming both boxes when there is none. */
    Mp4Box required(int childType) throws Mp4Exception {
        Mp4Box b = child(childType);
        if (b == null) {
            throw new Mp4Exception(typeName(type) + " without " + typeName(childType));
        }
        return b;
    }

    /** As {@link #child(int)} when the payload starts with {@code skip} bytes of fields (stsd: entry_count). */
    Mp4Box child(int childType, int skip) throws Mp4Exception {
        if (skip > end - start) {
            throw new Mp4Exception("truncated " + typeName(type));
        }
        int p = start + skip;
        while (end - p >= HEADER_LENGTH) {
            Mp4Box c = at(p);
            if (c.type == childType) {
                return c;
            }
            p = c.end;
        }
        return null;
    }

    /** The child whose header starts at {@code p}: a size of 0 runs to the parent's end, 1 means a 64-bit size. */
    Mp4Box at(int p) throws Mp4Exception {
        long size = u32(buffer, p);
        int childType = (int) u32(buffer, p + 4);
        int header = HEADER_LENGTH;
        if (size == 1) {
            if (end - p < LARGE_HEADER_LENGTH) {
                throw new Mp4Exception("truncated largesize of " + typeName(childType));
            }
            size = u32(buffer, p + 8) << 32 | u32(buffer, p + 12);
            header = LARGE_HEADER_LENGTH;
        } else if (size == 0) {
            size = end - p;
        }
        if (size < header || size > end - p) {
            throw new Mp4Exception(typeName(childType) + " box of " + size + " bytes does not fit its "
                    + typeName(type) + " (" + (end - p) + " bytes left)");
        }
        return new Mp4Box(childType, buffer, p + header, p + (int) size);
    }

    /** The box's children, each handed to the visitor in order. */
    void children(Visitor visitor) throws Mp4Exception {
        int p = start;
        while (end - p >= HEADER_LENGTH) {
            Mp4Box c = at(p);
            visitor.visit(c);
            p = c.end;
        }
    }

    @FunctionalInterface
    interface Visitor {
        void visit(Mp4Box child) throws Mp4Exception;
    }

    static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    static int type(String fourCc) {
        return fourCc.charAt(0) << 24 | fourCc.charAt(1) << 16 | fourCc.charAt(2) << 8 | fourCc.charAt(3);
    }

    static String typeName(int type) {
        StringBuilder sb = new StringBuilder(6).append('\'');
        for (int shift = 24; shift >= 0; shift -= 8) {
            int ch = (type >>> shift) & 0xFF;
            sb.append(ch >= 0x20 && ch < 0x7F ? (char) ch : '?');
        }
        return sb.append('\'').toString();
    }

    /** Big-endian reads within one box; running off its end is an {@link Mp4Exception} naming the box. */
    static final class Cursor {
        private final Mp4Box box;
        private int pos;

        private Cursor(Mp4Box box) {
            this.box = box;
            this.pos = box.start;
        }

        int remaining() {
            return box.end - pos;
        }

        int position() {
            return pos;
        }

        Cursor skip(int n) throws Mp4Exception {
            need(n);
            pos += n;
            return this;
        }

        int u8() throws Mp4Exception {
            need(1);
            return box.buffer[pos++] & 0xFF;
        }

        int u16() throws Mp4Exception {
            need(2);
            int v = (box.buffer[pos] & 0xFF) << 8 | (box.buffer[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int u24() throws Mp4Exception {
            return u8() << 16 | u16();
        }

        long u32() throws Mp4Exception {
            need(4);
            long v = Mp4Box.u32(box.buffer, pos);
            pos += 4;
            return v;
        }

        /** A 32-bit field that is signed in some versions (ctts, trun composition offsets, elst media_time). */
        int s32() throws Mp4Exception {
            return (int) u32();
        }

        long u64() throws Mp4Exception {
            long high = u32();
            return high << 32 | u32();
        }

        /** A u64 for version 1 of a FullBox, a u32 for version 0 (times and durations). */
        long uVersioned(int version) throws Mp4Exception {
            return version == 1 ? u64() : u32();
        }

        /**
         * A u32 entry count whose entries of {@code entryLength} bytes must all lie in the box: checked before any loop
         * runs, so the count a file states can never make a parser spin or allocate past the box it read.
         */
        int count(int entryLength) throws Mp4Exception {
            long n = u32();
            if (n * entryLength > remaining()) {
                throw new Mp4Exception(typeName(box.type) + " claims " + n + " entries of " + entryLength
                        + " bytes in " + remaining());
            }
            return (int) n;
        }

        private void need(int n) throws Mp4Exception {
            if (n < 0 || n > box.end - pos) {
                throw new Mp4Exception("truncated " + typeName(box.type) + " box");
            }
        }
    }
}
