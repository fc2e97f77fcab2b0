package io.cascade.protocol.ts;

/**
 * CRC-32/MPEG-2 (ISO/IEC 13818-1 Annex A) for PSI sections: polynomial 0x04C11DB7, most significant bit first, initial
 * value 0xFFFFFFFF, no final XOR. {@link java.util.zip.CRC32} cannot be used: it is the bit-reflected variant with a final
 * XOR. Running the CRC over a whole section including its CRC_32 field gives 0, which is how a decoder checks it.
 */
final class Crc32Mpeg2 {
    private static final int POLYNOMIAL = 0x04C11DB7;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ POLYNOMIAL : c << 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc32Mpeg2() {
    }

    static int compute(byte[] data, int offset, int length) {
        int crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ data[i]) & 0xFF];
        }
        return crc;
    }
}
