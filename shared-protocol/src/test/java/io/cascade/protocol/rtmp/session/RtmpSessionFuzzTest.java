package io.cascade.protocol.rtmp.session;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.StreamNames;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.handshake.RtmpHandshake;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.message.UserControl;
import io.cascade.testing.FuzzSeeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A whole RTMP session after its handshake, fed arbitrary chunk-stream bytes: commands (connect, createStream,
 * publish, play, deleteStream, ...), control and media messages, in two pieces split at a data-derived point. The
 * roles answer from the first byte: publishes accepted or refused, plays started, not found or refused (the answers
 * authorisation gives). Only {@link RtmpProtocolException} may come out; every request the session hands on names a
 * valid stream, with its query apart; no more than {@link RtmpSession#MAX_STREAMS} streams; what the session sends
 * decodes as chunks. Seeds: what ffmpeg, OBS and players send, and some damage.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest=RtmpSessionFuzzTest} fuzzes.
 */
class RtmpSessionFuzzTest {
    private static final Path SEED_DIR =
            Path.of("src/test/resources/io/cascade/protocol/rtmp/session/RtmpSessionFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void commands(byte[] data) {
        run(data);
    }

    static void run(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int answers = data[0] & 0xFF;
        Roles roles = new Roles(answers);
        RtmpSession session = new RtmpSession(roles);
        roles.session = session;
        try {
            session.receive(RtmpHandshake.clientHello(true), 0, RtmpHandshake.C0C1_SIZE);
            session.receive(new byte[RtmpHandshake.PACKET_SIZE], 0, RtmpHandshake.PACKET_SIZE);
        } catch (RtmpProtocolException e) {
            throw new AssertionError(e);
        }
        int split = 1 + (int) ((long) answers * (data.length - 1) / 256);
        try {
            session.receive(data, 1, split - 1);
            session.receive(data, split, data.length - split);
        } catch (RtmpProtocolException expected) {
            // a protocol violation: the connection would be closed
        }
        assertTrue(roles.streams.size() <= RtmpSession.MAX_STREAMS, "streams: " + roles.streams);
    }

    /** The roles' side: answers publishes and plays at once, as the bits of one byte say. */
    private static final class Roles implements RtmpSession.Listener {
        final int answers;
        final ChunkDecoder fromServer = new ChunkDecoder();
        final Set<Integer> streams = new HashSet<>();
        RtmpSession session;
        int sends;

        Roles(int answers) {
            this.answers = answers;
        }

        @Override
        public String onConnect(ConnectRequest request) {
            return null;
        }

        @Override
        public void send(byte[] bytes) {
            assertNotNull(bytes);
            if (sends++ == 0) {
                return; // S0 S1 S2
            }
            try {
                fromServer.feed(bytes, 0, bytes.length, m -> { });
            } catch (RtmpProtocolException e) {
                throw new AssertionError("the session sent what no client can decode", e);
            }
        }

        @Override
        public void onPublish(PublishRequest r) {
            check(r.name(), r.query());
            streams.add(r.streamId());
            switch (answers & 3) {
                case 0 -> session.acceptPublish(r.streamId(), r.name());
                case 1 -> session.refusePublish(r.streamId(), "NetStream.Publish.Denied", "Not authorised.");
                case 2 -> session.refusePublish(r.streamId(), "NetStream.Publish.BadName", "in use");
                default -> { } // still deciding
            }
        }

        @Override
        public void onPlay(PlayRequest r) {
            check(r.name(), r.query());
            streams.add(r.streamId());
            switch ((answers >> 2) & 3) {
                case 0 -> session.startPlay(r.streamId(), r.name(), r.reset());
                case 1 -> session.refusePlay(r.streamId(), "NetStream.Play.Failed", "Not authorised.");
                case 2 -> session.playNotFound(r.streamId(), r.name());
                default -> { }
            }
            if ((answers & 0x10) != 0) {
                session.unpublishNotify(r.streamId(), r.name());
                session.publishNotify(r.streamId(), r.name());
            }
        }

        @Override
        public void onMedia(int streamId, RtmpMessage message) {
            assertTrue(message.payload().length <= ChunkDecoder.MAX_MESSAGE_LENGTH);
        }

        @Override
        public void onStreamClosed(int streamId) {
        }

        private static void check(String name, String query) {
            assertTrue(StreamNames.isValid(name), "a request for an invalid name went to the roles: " + name);
            assertTrue(name.indexOf('?') < 0 && query != null, "the query is kept apart: " + name);
        }
    }

    // ---- seeds ----

    private static final class Script {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkEncoder encoder = new ChunkEncoder(ChunkDecoder.DEFAULT_CHUNK_SIZE);

        Script(int answers) {
            out.write(answers);
        }

        Script message(int csid, int type, int streamId, byte[] payload) {
            out.writeBytes(encoder.encode(new RtmpMessage(csid, type, streamId, 0, payload)));
            return this;
        }

        Script command(int streamId, String name, double tx, Object... args) {
            Amf0Writer w = new Amf0Writer().write(name).write(tx);
            for (Object a : args) {
                w.write(a);
            }
            return message(3, MessageType.COMMAND_AMF0, streamId, w.toByteArray());
        }

        Script connect(String app) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("app", app);
            o.put("tcUrl", "rtmp://127.0.0.1/" + app);
            return command(0, "connect", 1, o);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> s = new TreeMap<>();
        Script publish = new Script(0).message(2, MessageType.SET_CHUNK_SIZE, 0, new SetChunkSize(4096).encode());
        publish.encoder = new ChunkEncoder(4096);
        publish.connect("live").command(0, "releaseStream", 2, null, "cam?expires=1&sig=ab")
                .command(0, "FCPublish", 3, null, "cam?expires=1&sig=ab").command(0, "createStream", 4, (Object) null)
                .command(1, "publish", 5, null, "cam?expires=1&sig=ab", "live")
                .message(4, MessageType.DATA_AMF0, 1, Amf0Writer.encode("@setDataFrame", "onMetaData",
                        Map.of("width", 320.0)))
                .message(6, MessageType.VIDEO, 1, new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f})
                .message(4, MessageType.AUDIO, 1, new byte[] {(byte) 0xAF, 0, 0x12, 0x10})
                .command(0, "FCUnpublish", 6, null, "cam").command(0, "deleteStream", 7, null, 1.0);
        s.put("ffmpeg_publish_with_token", publish.bytes());
        s.put("publish_refused", new Script(1).connect("live").command(0, "createStream", 2, (Object) null)
                .command(1, "publish", 3, null, "cam", "live").command(1, "publish", 4, null, "cam", "live").bytes());
        s.put("play_started", new Script(0).connect("live").command(0, "createStream", 2, (Object) null)
                .command(1, "play", 3, null, "show?expires=9&sig=cd", -2.0, -1.0, true)
                .message(2, MessageType.USER_CONTROL, 0, UserControl.pingRequest(7).encode())
                .command(1, "closeStream", 4, (Object) null).bytes());
        s.put("play_refused", new Script(4).connect("live").command(0, "createStream", 2, (Object) null)
                .command(1, "play", 3, null, "show", -2.0).command(0, "createStream", 4, (Object) null)
                .command(2, "play", 5, null, "show", -1.0).bytes());
        s.put("play_not_found_and_notices", new Script(0x18).connect("live/").command(0, "createStream", 2,
                (Object) null).command(1, "play", 3, null, "nobody").bytes());
        Script many = new Script(0).connect("live");
        for (int i = 0; i < RtmpSession.MAX_STREAMS + 2; i++) {
            many.command(0, "createStream", 2 + i, (Object) null);
        }
        s.put("too_many_streams", many.bytes());
        s.put("bad_names", new Script(0).connect("live").command(0, "createStream", 2, (Object) null)
                .command(1, "publish", 3, null, "../etc", "live").command(1, "play", 4, null, "a b?c").bytes());
        s.put("command_before_connect", new Script(0).command(0, "createStream", 1, (Object) null).bytes());
        s.put("second_connect", new Script(0).connect("live").connect("live").bytes());
        s.put("bad_app", new Script(0).connect("li ve?x").bytes());
        s.put("amf3_command", new Script(0).message(3, MessageType.COMMAND_AMF3, 0,
                prefixed(new Amf0Writer().write("connect").write(1.0).write(Map.of("app", "live")).toByteArray()))
                .bytes());
        return Map.of("commands", s);
    }

    private static byte[] prefixed(byte[] amf0) {
        byte[] b = new byte[amf0.length + 1];
        System.arraycopy(amf0, 0, b, 1, amf0.length);
        return b;
    }

    @Test
    void fuzzBodyAcceptsEverySeedAndTruncation() throws IOException {
        FuzzSeeds.replay(SEED_DIR, seeds(), Map.of("commands", RtmpSessionFuzzTest::run), 300);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
