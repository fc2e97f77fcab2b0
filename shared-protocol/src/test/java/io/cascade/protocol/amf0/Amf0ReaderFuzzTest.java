package io.cascade.protocol.amf0;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link Amf0Reader#readAll}. In a normal build Jazzer runs in regression mode and
 * replays the committed inputs in
 * src/test/resources/io/cascade/protocol/amf0/Amf0ReaderFuzzTestInputs/readAll/ (one per entry
 * of {@link Amf0Vectors}); with JAZZER_FUZZ=1 it fuzzes for real.
 */
class Amf0ReaderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void readAll(byte[] data) {
        fuzzBody(data);
    }

    /**
     * The property under test: any input either decodes or throws {@link Amf0Exception};
     * anything else (runtime exceptions, errors) escapes and fails the test. A decoder that
     * succeeds must have consumed exactly the input.
     */
    static void fuzzBody(byte[] data) {
        try {
            Amf0Reader.readAll(data, 0, data.length);
        } catch (Amf0Exception expected) {
            return;
        }
        // Also read one value at a time through a window with junk behind it.
        byte[] framed = new byte[data.length + 2];
        System.arraycopy(data, 0, framed, 1, data.length);
        framed[framed.length - 1] = 0x11;
        Amf0Reader reader = new Amf0Reader(framed, 1, data.length);
        try {
            while (reader.hasRemaining()) {
                reader.read();
            }
        } catch (Amf0Exception e) {
            throw new AssertionError("readAll accepted the input but read() rejected it", e);
        }
        if (reader.position() != 1 + data.length) {
            throw new AssertionError("reader ended at " + reader.position());
        }
    }
}
