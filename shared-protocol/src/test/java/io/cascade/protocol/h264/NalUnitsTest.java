package io.cascade.protocol.h264;

import static io.cascade.protocol.flv.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NalUnitsTest {
    static Stream<AvcVectors.AccessUnit> accessUnits() {
        return AvcVectors.ACCESS_UNITS.stream();
    }

    static Stream<AvcVectors.Bad> bad() {
        return AvcVectors.BAD_ACCESS_UNITS.stream();
    }

    @ParameterizedTest
    @MethodSource("accessUnits")
    void convertsToFourByteLengths(AvcVectors.AccessUnit v) throws BitstreamException {
        byte[] out = NalUnits.toFourByteLengths(v.data(), 0, v.data().length, v.lengthSize());
        assertArrayEquals(v.fourByte(), out);
        assertNotSame(v.data(), out);
        List<Integer> types = new ArrayList<>();
        NalUnits.forEach(out, (off, len) -> types.add(NalUnits.h264Type(out[off])));
        assertEquals(v.nalTypes().length, types.size());
        for (int i = 0; i < types.size(); i++) {
            assertEquals(v.nalTypes()[i], types.get(i));
        }
    }

    @ParameterizedTest
    @MethodSource("accessUnits")
    void convertsASliceOfALargerArray(AvcVectors.AccessUnit v) throws BitstreamException {
        byte[] padded = new byte[v.data().length + 9];
        System.arraycopy(v.data(), 0, padded, 5, v.data().length);
        assertArrayEquals(v.fourByte(), NalUnits.toFourByteLengths(padded, 5, v.data().length, v.lengthSize()));
    }

    @ParameterizedTest
    @MethodSource("accessUnits")
    void annexBReplacesEveryLengthWithAStartCode(AvcVectors.AccessUnit v) {
        byte[] annexB = NalUnits.toAnnexB(v.fourByte());
        assertEquals(v.fourByte().length, annexB.length);
        NalUnits.visit(v.fourByte(), (off, len) -> {
            assertArrayEquals(bytes("00000001"), java.util.Arrays.copyOfRange(annexB, off - 4, off));
            assertArrayEquals(java.util.Arrays.copyOfRange(v.fourByte(), off, off + len),
                    java.util.Arrays.copyOfRange(annexB, off, off + len));
        });
    }

    @ParameterizedTest
    @MethodSource("bad")
    void rejectsMalformed(AvcVectors.Bad v) {
        assertThrows(BitstreamException.class, () -> NalUnits.toFourByteLengths(v.data(), 0, v.data().length, v.lengthSize()));
    }

    @Test
    void acceptsExactlyTheMaximumNalCount() throws BitstreamException {
        byte[] au = AvcVectors.many(NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT);
        assertEquals(NalUnits.MAX_NAL_UNITS_PER_ACCESS_UNIT * 5, NalUnits.toFourByteLengths(au, 0, au.length, 1).length);
    }

    @Test
    void rejectsSliceOutsideArray() {
        assertThrows(BitstreamException.class, () -> NalUnits.toFourByteLengths(new byte[4], 1, 4, 4));
        assertThrows(BitstreamException.class, () -> NalUnits.toFourByteLengths(null, 0, 0, 4));
    }

    @Test
    void nalTypes() {
        assertEquals(5, NalUnits.h264Type((byte) 0x65));
        assertEquals(7, NalUnits.h264Type((byte) 0x67));
        assertEquals(32, NalUnits.h265Type((byte) 0x40));
        assertEquals(19, NalUnits.h265Type((byte) 0x26));
    }

    @Test
    void visitStopsAtAMalformedTailWithoutThrowing() {
        List<Integer> lengths = new ArrayList<>();
        NalUnits.visit(bytes("00000001 09 000000ff 01"), (off, len) -> lengths.add(len));
        assertEquals(List.of(1), lengths);
    }
}
