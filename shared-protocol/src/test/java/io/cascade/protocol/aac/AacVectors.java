package io.cascade.protocol.aac;

import static io.cascade.protocol.flv.Hex.bytes;

import java.util.List;

/** THE table of AudioSpecificConfig vectors: drives decode tests and fuzz seeds. */
public final class AacVectors {
    private AacVectors() {
    }

    public record Asc(String name, byte[] data, int objectType, int sampleRate, int channels, String codecString) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<Asc> CONFIGS = List.of(
            new Asc("ffmpeg aac LC 48kHz stereo ASC = 11 90",
                    bytes("11 90"),     // 00010 AOT 2 LC | 0011 index 3 = 48000 | 0010 2 channels | 000 GASpecificConfig
                    2, 48000, 2, "mp4a.40.2"),
            new Asc("ffmpeg aac LC 48kHz stereo ASC with sync extension = 11 90 56 e5 00",
                    bytes("11 90", "56 e5 00"), // sync extension 0x2b7, SBR absent (ignored)
                    2, 48000, 2, "mp4a.40.2"),
            new Asc("ffmpeg aac LC 44.1kHz mono ASC = 12 08",
                    bytes("12 08"),     // AOT 2 | index 4 = 44100 | 1 channel
                    2, 44100, 1, "mp4a.40.2"),
            new Asc("HE-AAC explicit SBR 22.05 kHz core, 44.1 kHz output, stereo = 2B 92 08",
                    bytes("2b 92 08"),  // 00101 AOT 5 | 0111 22050 | 0010 2 ch | 0100 ext 44100 | 00010 AOT 2
                    5, 44100, 2, "mp4a.40.5"),
            new Asc("explicit 24-bit sampling rate 48000 = 17 80 5D C0 10",
                    bytes("17 80 5d c0 10"), // 00010 AOT 2 | 1111 explicit | 0x00BB80 | 0010 2 ch
                    2, 48000, 2, "mp4a.40.2"),
            new Asc("escaped object type 42 (USAC) = F9 46 40",
                    bytes("f9 46 40"),  // 11111 escape | 001010 (32+10) | 0011 48000 | 0010 2 ch
                    42, 48000, 2, "mp4a.40.42"));

    public static final List<byte[]> BAD = List.of(
            bytes(""),              // empty
            bytes("11"),            // cut inside the channel configuration
            bytes("00 00"),         // object type 0
            bytes("16 80"),         // sampling frequency index 13 (reserved)
            bytes("17 80"),         // explicit rate cut
            bytes("17 80 00 00 10"), // explicit rate 0
            bytes("f9"),            // escaped object type cut
            bytes("2b 92"));        // SBR extension cut
}
