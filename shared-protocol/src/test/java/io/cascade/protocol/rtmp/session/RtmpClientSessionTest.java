package io.cascade.protocol.rtmp.session;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.message.MessageType;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client session against the server session, bytes handed across in memory: a pull plays, a push publishes, and
 * every refusal the server can answer ends the client's connection with the server's code.
 */
class RtmpClientSessionTest {
    private static final RtmpUrl URL = RtmpUrl.parse("rtmp://example.net:1935/live/cam1?token=abc");

    /** Both ends and the bytes in flight between them. */
    private static final class Pair implements RtmpSession.Listener, RtmpClientSession.Listener {
        final Deque<byte[]> toServer = new ArrayDeque<>();
        final Deque<byte[]> toClient = new ArrayDeque<>();
        final RtmpSession server = new RtmpSession(new ServerSide());
        final RtmpClientSession client;
        final List<PlayRequest> plays = new ArrayList<>();
        final List<PublishRequest> publishes = new ArrayList<>();
        final List<ConnectRequest> connects = new ArrayList<>();
        final List<RtmpMessage> serverMedia = new ArrayList<>();
        final List<RtmpMessage> clientMedia = new ArrayList<>();
        int started = -1;
        String ended;

        Pair(RtmpClientSession.Mode mode, RtmpClientSession.ConnectOptions options) {
            client = new RtmpClientSession(this, mode, URL, options);
        }

        void pump() throws RtmpProtocolException {
            while (!toServer.isEmpty() || !toClient.isEmpty()) {
                if (!toServer.isEmpty()) {
                    byte[] b = toServer.poll();
                    server.receive(b, 0, b.length);
                }
                if (!toClient.isEmpty()) {
                    byte[] b = toClient.poll();
                    client.receive(b, 0, b.length);
                }
            }
        }

        // the client's listener
        @Override
        public void send(byte[] bytes) {
            toServer.add(bytes);
        }

        @Override
        public void onStarted(int streamId) {
            started = streamId;
        }

        @Override
        public void onMedia(RtmpMessage message) {
            clientMedia.add(message);
        }

        @Override
        public void onEnded(String code, String description) {
            ended = code;
        }

        // the server's listener: the RtmpSession.Listener methods other than send
        @Override
        public String onConnect(ConnectRequest request) {
            connects.add(request);
            return null;
        }

        @Override
        public void onPublish(PublishRequest request) {
            publishes.add(request);
        }

        @Override
        public void onPlay(PlayRequest request) {
            plays.add(request);
        }

        @Override
        public void onMedia(int streamId, RtmpMessage message) {
            serverMedia.add(message);
        }

        @Override
        public void onStreamClosed(int streamId) {
        }

        /** The server's send goes to the client: a listener of its own, since both ends call theirs send. */
        private final class ServerSide implements RtmpSession.Listener {
            @Override
            public void send(byte[] bytes) {
                toClient.add(bytes);
            }

            @Override
            public String onConnect(ConnectRequest request) {
                return Pair.this.onConnect(request);
            }

            @Override
            public void onPublish(PublishRequest request) {
                Pair.this.onPublish(request);
            }

            @Override
            public void onPlay(PlayRequest request) {
                Pair.this.onPlay(request);
            }

            @Override
            public void onMedia(int streamId, RtmpMessage message) {
                Pair.this.onMedia(streamId, message);
            }

            @Override
            public void onStreamClosed(int streamId) {
            }
        }
    }

    private static Pair connected(RtmpClientSession.Mode mode) throws RtmpProtocolException {
        Pair p = new Pair(mode, RtmpClientSession.ConnectOptions.DEFAULTS);
        p.client.start();
        p.pump();
        return p;
    }

    @Test
    void aPullPlaysTheStreamWithItsQueryAndReceivesItsMedia() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PLAY);
        assertEquals("live", p.connects.get(0).app());
        assertEquals(1, p.plays.size());
        PlayRequest play = p.plays.get(0);
        assertEquals("cam1", play.name());
        assertEquals("token=abc", play.query(), "the query reaches the server: tokens work");
        assertFalse(p.client.started());

        p.server.startPlay(play.streamId(), play.name(), true);
        p.pump();
        assertEquals(play.streamId(), p.started);
        assertTrue(p.client.started());

        MediaFrame key = new MediaFrame(0, Codec.H264, 40, 40, 1000, MediaFrame.FLAG_KEYFRAME, 0, 1,
                new byte[]{0, 0, 0, 2, 0x65, 1});
        p.clientMedia.clear(); // |RtmpSampleAccess, which the server sends at play start
        p.toClient.add(new FramesToRtmp().encode(key, play.streamId(), 40));
        p.pump();
        assertEquals(1, p.clientMedia.size());
        assertEquals(MessageType.VIDEO, p.clientMedia.get(0).typeId());
        assertEquals(40, p.clientMedia.get(0).timestamp());
    }

    @Test
    void aPushPublishesLiveAndItsMediaReachesTheServer() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PUBLISH);
        assertEquals(1, p.publishes.size());
        PublishRequest publish = p.publishes.get(0);
        assertEquals("cam1", publish.name());
        assertEquals("live", publish.type());
        p.server.acceptPublish(publish.streamId(), publish.name());
        p.pump();
        assertEquals(publish.streamId(), p.client.streamId());

        MediaFrame audio = new MediaFrame(1, Codec.AAC, 23, 23, 1000, 0, 0, 2, new byte[]{1, 2, 3});
        byte[] encoded = new FramesToRtmp().encode(audio, p.client.streamId(), 23);
        p.toServer.add(encoded);
        p.pump();
        assertEquals(1, p.serverMedia.size(), "media in the chunk size the client announced is read by the server");
        assertEquals(MessageType.AUDIO, p.serverMedia.get(0).typeId());
    }

    @Test
    void aRefusedPublishEndsWithTheServersCode() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PUBLISH);
        PublishRequest publish = p.publishes.get(0);
        p.server.refusePublish(publish.streamId(), "NetStream.Publish.BadName", "in use");
        p.pump();
        assertEquals("NetStream.Publish.BadName", p.ended);
        assertFalse(p.client.started());
    }

    @Test
    void aStreamTheServerDoesNotHaveEndsThePull() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PLAY);
        p.server.playNotFound(p.plays.get(0).streamId(), "cam1");
        p.pump();
        assertEquals("NetStream.Play.StreamNotFound", p.ended);
    }

    @Test
    void anUnpublishEndsARunningPull() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PLAY);
        PlayRequest play = p.plays.get(0);
        p.server.startPlay(play.streamId(), play.name(), true);
        p.pump();
        p.server.unpublishNotify(play.streamId(), play.name());
        p.pump();
        assertEquals("NetStream.Play.UnpublishNotify", p.ended);
    }

    @Test
    void connectCarriesTheOptionsGiven() throws Exception {
        Pair p = new Pair(RtmpClientSession.Mode.PLAY, new RtmpClientSession.ConnectOptions("FMLE/3.0",
                "rtmp://other/live", "http://x/player.swf", "http://x/page"));
        p.client.start();
        p.pump();
        assertEquals("FMLE/3.0", p.connects.get(0).flashVer());
    }

    @Test
    void aServerThatNeverStartsTheStreamIsCutOffAfterABoundedNumberOfCommands() throws Exception {
        Pair p = connected(RtmpClientSession.Mode.PLAY);
        ChunkEncoder enc = new ChunkEncoder(RtmpSession.OUT_CHUNK_SIZE);
        byte[] chatter = enc.encode(new RtmpMessage(3, MessageType.COMMAND_AMF0, 0, 0,
                new Amf0Writer().write("onBWDone").write(0.0).write(null).toByteArray()));
        RtmpProtocolException e = assertThrows(RtmpProtocolException.class, () -> {
            for (int i = 0; i < RtmpClientSession.MAX_COMMANDS_BEFORE_START + 1; i++) {
                p.client.receive(chatter, 0, chatter.length);
            }
        });
        assertTrue(e.getMessage().contains("without starting"), e.getMessage());
    }

    @Test
    void aBadServerVersionIsRefused() {
        Pair p = new Pair(RtmpClientSession.Mode.PLAY, RtmpClientSession.ConnectOptions.DEFAULTS);
        p.client.start();
        byte[] s0 = new byte[]{6};
        assertThrows(RtmpProtocolException.class, () -> p.client.receive(s0, 0, 1));
    }

    @Test
    void urlsAreReadAsServersReadThem() {
        RtmpUrl u = RtmpUrl.parse("rtmp://10.0.0.1/live/room/cam2?k=v");
        assertEquals("10.0.0.1", u.host());
        assertEquals(1935, u.port());
        assertEquals("live/room", u.app());
        assertEquals("cam2?k=v", u.stream());
        assertEquals("rtmp://10.0.0.1:1935/live/room/cam2", u.redacted(), "the query never shows");
        RtmpUrl tls = RtmpUrl.parse("rtmps://live.example.com/app/key");
        assertTrue(tls.secure());
        assertEquals(443, tls.port());
        assertEquals("rtmps://live.example.com:443/app", tls.tcUrl());
        assertFalse(u.secure());
        assertEquals("::1", RtmpUrl.parse("rtmp://[::1]:1936/live/x").host());
        assertEquals(1936, RtmpUrl.parse("rtmp://[::1]:1936/live/x").port());
        for (String bad : List.of("", "http://h/live/x", "rtmp://h/live", "rtmp://h/live/", "rtmp://h:0/live/x",
                "rtmp://h:99999/live/x", "rtmp://u:p@h/live/x", "rtmp:///live/x", "rtmp://h/../x", "rtmp://h/live/a b",
                "rtmp://h:x/live/y", "rtmp://h/" + "a".repeat(RtmpUrl.MAX_LENGTH) + "/x")) {
            assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse(bad), bad);
        }
        assertEquals("rtmp://example.net:1935/live", URL.tcUrl());
    }
}
