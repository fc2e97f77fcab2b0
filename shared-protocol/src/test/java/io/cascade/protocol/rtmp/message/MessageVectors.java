package io.cascade.protocol.rtmp.message;

import java.util.HexFormat;
import java.util.List;

/** THE table of control message payload vectors: drives the decode and encode tests. Hex per field. */
final class MessageVectors {

    record Vector(String name, int typeId, byte[] payload, Object decoded) {
        @Override
        public String toString() {
            return name;
        }
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static final List<Vector> ALL = List.of(
            new Vector("ffmpeg_set_chunk_size_4096", MessageType.SET_CHUNK_SIZE,
                    hex("00001000"),                          // 4096
                    new SetChunkSize(4096)),
            new Vector("obs_set_chunk_size_largest", MessageType.SET_CHUNK_SIZE,
                    hex("7FFFFFFF"),                          // top bit 0: largest legal value
                    new SetChunkSize(0x7FFFFFFF)),
            new Vector("abort_csid_6", MessageType.ABORT,
                    hex("00000006"),
                    new Abort(6)),
            new Vector("ffmpeg_ack_wrapped", MessageType.ACKNOWLEDGEMENT,
                    hex("FFFFFFFE"),                          // sequence numbers are unsigned 32-bit
                    new Acknowledgement(0xFFFFFFFEL)),
            new Vector("fms_window_ack_2500000", MessageType.WINDOW_ACK_SIZE,
                    hex("002625A0"),
                    new WindowAckSize(2_500_000)),
            new Vector("fms_peer_bandwidth_dynamic", MessageType.SET_PEER_BANDWIDTH,
                    hex("002625A0"                            // window 2,500,000
                            + "02"),                          // limit type dynamic
                    new SetPeerBandwidth(2_500_000, SetPeerBandwidth.DYNAMIC)),
            new Vector("fms_stream_begin_1", MessageType.USER_CONTROL,
                    hex("0000"                                // event 0 StreamBegin
                            + "00000001"),                    // stream id 1
                    UserControl.streamBegin(1)),
            new Vector("fms_stream_is_recorded_1", MessageType.USER_CONTROL,
                    hex("0004 00000001"),
                    UserControl.streamIsRecorded(1)),
            new Vector("fms_stream_eof_1", MessageType.USER_CONTROL,
                    hex("0001 00000001"),
                    UserControl.streamEof(1)),
            new Vector("flash_set_buffer_length_3000", MessageType.USER_CONTROL,
                    hex("0003"                                // event 3 SetBufferLength
                            + "00000001"                      // stream id 1
                            + "00000BB8"),                    // 3000 ms
                    UserControl.setBufferLength(1, 3000)),
            new Vector("fms_ping_request", MessageType.USER_CONTROL,
                    hex("0006 DEADBEEF"),                     // timestamp 0xDEADBEEF
                    UserControl.pingRequest(0xDEADBEEFL)),
            new Vector("flash_ping_response", MessageType.USER_CONTROL,
                    hex("0007 DEADBEEF"),
                    UserControl.pingResponse(0xDEADBEEFL)),
            new Vector("flash_buffer_empty_unknown_event", MessageType.USER_CONTROL,
                    hex("001F 00000001"),                     // event 31 (not in the spec): passed through
                    new UserControl(31, hex("00000001"))));

    private MessageVectors() {
    }
}
