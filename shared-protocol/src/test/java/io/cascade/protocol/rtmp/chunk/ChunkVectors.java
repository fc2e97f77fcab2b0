package io.cascade.protocol.rtmp.chunk;

import io.cascade.protocol.rtmp.message.AggregateMessage;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * THE table of chunk-stream byte vectors: drives the decode test, the encode test and the fuzz seeds
 * (src/test/resources/.../ChunkDecoderFuzzTestInputs/feed/, one file per vector, checked by ChunkDecoderFuzzBodyTest).
 * Each vector is the wire bytes a real client sends (hex, one field per line) and the messages they decode to.
 * Payload contents are arbitrary bytes of the right length: the chunk layer treats them as opaque.
 * {@code encoderOutput} marks vectors that are exactly what ChunkEncoder writes (fmt 0 + fmt 3 only), when its chunk size
 * starts at 128 and follows every SetChunkSize message in the vector, as a real peer's would.
 */
public final class ChunkVectors {

    public record Vector(String name, byte[] wire, List<RtmpMessage> messages, boolean encoderOutput) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Deterministic arbitrary payload bytes. */
    public static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        int x = seed * 0x9E3779B9 + 1;
        for (int i = 0; i < length; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    static final byte[] CONNECT = pattern(197, 1);
    static final byte[] VIDEO_5000 = pattern(5000, 2);
    static final byte[] VIDEO_300 = pattern(300, 3);
    static final byte[] AUDIO_6 = pattern(6, 4);
    static final byte[] AUDIO_7A = pattern(7, 5);
    static final byte[] AUDIO_7B = pattern(7, 6);
    static final byte[] AUDIO_7C = pattern(7, 7);
    static final byte[] SMALL_10 = pattern(10, 8);
    static final byte[] VIDEO_200 = pattern(200, 9);
    static final byte[] AGG_AUDIO = pattern(5, 10);
    static final byte[] AGG_VIDEO = pattern(9, 11);
    /** An FMS-style aggregate: an audio tag at 1000 and a video tag at 1040 (timestamp extension byte 0). */
    static final byte[] AGGREGATE = AggregateMessage.build(List.of(
            new RtmpMessage(0, 8, 0, 1000, AGG_AUDIO),
            new RtmpMessage(0, 9, 0, 1040, AGG_VIDEO)));

    public static final List<Vector> ALL = List.of(
            v("ffmpeg_connect_chunk128")
                    .hex("03")                          // fmt 0, csid 3 (ffmpeg's command channel)
                    .hex("000000")                      // timestamp 0
                    .hex("0000C5")                      // length 197
                    .hex("14")                          // type 20, AMF0 command
                    .hex("00000000")                    // message stream id 0 (little-endian)
                    .bytes(CONNECT, 0, 128)             // first 128 bytes (default chunk size)
                    .hex("C3")                          // fmt 3, csid 3: continuation
                    .bytes(CONNECT, 128, 69)
                    .expect(3, 20, 0, 0, CONNECT)
                    .encoderOutput(),

            v("ffmpeg_set_chunk_size_4096_then_video_5000")
                    .hex("02")                          // fmt 0, csid 2 (protocol control)
                    .hex("000000 000004 01 00000000")   // ts 0, length 4, type 1 SetChunkSize, msid 0
                    .hex("00001000")                    // chunk size 4096
                    .hex("06")                          // fmt 0, csid 6 (ffmpeg's video channel)
                    .hex("000021")                      // timestamp 33
                    .hex("001388")                      // length 5000
                    .hex("09")                          // type 9 video
                    .hex("01000000")                    // msid 1 (little-endian)
                    .bytes(VIDEO_5000, 0, 4096)
                    .hex("C6")                          // fmt 3 continuation
                    .bytes(VIDEO_5000, 4096, 904)
                    .expect(2, 1, 0, 0, hex("00001000"))
                    .expect(6, 9, 1, 33, VIDEO_5000)
                    .encoderOutput(),

            v("obs_audio_fmt1_fmt2_fmt3_deltas")
                    .hex("04")                          // fmt 0, csid 4 (audio)
                    .hex("0003E8 000006 08 01000000")   // ts 1000, length 6, type 8 audio, msid 1
                    .bytes(AUDIO_6)
                    .hex("44")                          // fmt 1, csid 4
                    .hex("000017 000007 08")            // delta 23, length 7, type 8
                    .bytes(AUDIO_7A)
                    .hex("84")                          // fmt 2, csid 4
                    .hex("000017")                      // delta 23
                    .bytes(AUDIO_7B)
                    .hex("C4")                          // fmt 3 starting a message: same length, delta 23 again
                    .bytes(AUDIO_7C)
                    .expect(4, 8, 1, 1000, AUDIO_6)
                    .expect(4, 8, 1, 1023, AUDIO_7A)
                    .expect(4, 8, 1, 1046, AUDIO_7B)
                    .expect(4, 8, 1, 1069, AUDIO_7C)
                    .build(),

            v("ffmpeg_extended_timestamp_repeated_on_fmt3")
                    .hex("06")                          // fmt 0, csid 6
                    .hex("FFFFFF")                      // timestamp field: extended follows
                    .hex("00012C 09 01000000")          // length 300, type 9, msid 1
                    .hex("01000000")                    // extended timestamp 16,777,216
                    .bytes(VIDEO_300, 0, 128)
                    .hex("C6 01000000")                 // fmt 3 + repeated extended timestamp
                    .bytes(VIDEO_300, 128, 128)
                    .hex("C6 01000000")
                    .bytes(VIDEO_300, 256, 44)
                    .expect(6, 9, 1, 0x01000000L, VIDEO_300)
                    .encoderOutput(),

            v("librtmp_timestamp_wraps_at_2pow32")
                    .hex("04")                          // fmt 0, csid 4
                    .hex("FFFFFF 00000A 08 01000000")   // extended ts, length 10, audio, msid 1
                    .hex("FFFFFFF0")                    // timestamp 2^32 - 16
                    .bytes(SMALL_10)
                    .hex("84 000020")                   // fmt 2, delta 32
                    .bytes(SMALL_10)
                    .expect(4, 8, 1, 0xFFFFFFF0L, SMALL_10)
                    .expect(4, 8, 1, 0x10L, SMALL_10)
                    .build(),

            v("wirecast_csid_2_and_3_byte_forms")
                    .hex("00 0A")                       // fmt 0, 2-byte form: csid 64 + 10 = 74
                    .hex("000005 00000A 12 01000000")   // ts 5, length 10, type 18 data, msid 1
                    .bytes(SMALL_10)
                    .hex("00 FF")                       // 2-byte form, largest: csid 319
                    .hex("000006 00000A 12 01000000")
                    .bytes(SMALL_10)
                    .hex("01 00 01")                    // 3-byte form: csid 64 + 0 + 1*256 = 320
                    .hex("000007 00000A 12 01000000")
                    .bytes(SMALL_10)
                    .hex("01 FF FF")                    // 3-byte form, largest: csid 65599
                    .hex("000008 00000A 12 01000000")
                    .bytes(SMALL_10)
                    .expect(74, 18, 1, 5, SMALL_10)
                    .expect(319, 18, 1, 6, SMALL_10)
                    .expect(320, 18, 1, 7, SMALL_10)
                    .expect(65599, 18, 1, 8, SMALL_10)
                    .encoderOutput(),

            v("fms_aggregate_message")
                    .hex("05")                          // fmt 0, csid 5
                    .hex("0003E8")                      // ts 1000
                    .hex(String.format("%06X", AGGREGATE.length)) // length
                    .hex("16 01000000")                 // type 22 aggregate, msid 1
                    .bytes(AGGREGATE)                   // audio tag (11+5+4) + video tag (11+9+4) = 44 bytes
                    .expect(5, 22, 1, 1000, AGGREGATE)
                    .encoderOutput(),

            v("ffmpeg_empty_data_message")
                    .hex("05")                          // fmt 0, csid 5
                    .hex("000000 000000 12 01000000")   // ts 0, length 0 (legal), type 18, msid 1
                    .expect(5, 18, 1, 0, new byte[0])
                    .encoderOutput(),

            v("librtmp_interleaved_audio_inside_video")
                    .hex("06 000064 0000C8 09 01000000") // csid 6 fmt 0: ts 100, length 200, video, msid 1
                    .bytes(VIDEO_200, 0, 128)
                    .hex("04 000064 00000A 08 01000000") // csid 4 fmt 0: ts 100, length 10, audio: a whole message
                    .bytes(SMALL_10)
                    .hex("C6")                           // video continues
                    .bytes(VIDEO_200, 128, 72)
                    .expect(4, 8, 1, 100, SMALL_10)
                    .expect(6, 9, 1, 100, VIDEO_200)
                    .build(),

            v("obs_chunk_size_changed_mid_message")
                    .hex("06 000000 00012C 09 01000000") // csid 6: length 300 video
                    .bytes(VIDEO_300, 0, 128)            // first chunk at chunk size 128
                    .hex("02 000000 000004 01 00000000") // SetChunkSize on csid 2 between the video's chunks
                    .hex("00000100")                     // 256
                    .hex("C6")                           // rest of the video: 172 bytes fit one 256-byte chunk
                    .bytes(VIDEO_300, 128, 172)
                    .expect(2, 1, 0, 0, hex("00000100"))
                    .expect(6, 9, 1, 0, VIDEO_300)
                    .build(),

            v("abort_partial_then_restart_and_abort_unknown")
                    .hex("06 000000 00012C 09 01000000") // csid 6: length 300 video
                    .bytes(VIDEO_300, 0, 128)            // only the first chunk
                    .hex("02 000000 000004 02 00000000") // Abort
                    .hex("00000006")                     // csid 6: drop its partial message
                    .hex("02 000000 000004 02 00000000") // Abort
                    .hex("0000001F")                     // csid 31: unknown, ignored
                    .hex("06 00000A 00000A 09 01000000") // csid 6 starts afresh: ts 10, length 10
                    .bytes(SMALL_10)
                    .expect(2, 2, 0, 0, hex("00000006"))
                    .expect(2, 2, 0, 0, hex("0000001F"))
                    .expect(6, 9, 1, 10, SMALL_10)
                    .build());

    // -------------------------------------------------------------------------------------------------------------

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static Builder v(String name) {
        return new Builder(name);
    }

    private static final class Builder {
        private final String name;
        private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        private final List<RtmpMessage> messages = new ArrayList<>();
        private boolean encoderOutput;

        Builder(String name) {
            this.name = name;
        }

        Builder hex(String h) {
            wire.writeBytes(ChunkVectors.hex(h));
            return this;
        }

        Builder bytes(byte[] b) {
            wire.writeBytes(b);
            return this;
        }

        Builder bytes(byte[] b, int off, int len) {
            wire.write(b, off, len);
            return this;
        }

        Builder expect(int csid, int type, int msid, long ts, byte[] payload) {
            messages.add(new RtmpMessage(csid, type, msid, ts, payload));
            return this;
        }

        Vector encoderOutput() {
            encoderOutput = true;
            return build();
        }

        Vector build() {
            return new Vector(name, wire.toByteArray(), List.copyOf(messages), encoderOutput);
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, pos, p.length);
            pos += p.length;
        }
        return r;
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    private ChunkVectors() {
    }
}
