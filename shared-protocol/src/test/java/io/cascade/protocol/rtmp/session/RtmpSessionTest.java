package io.cascade.protocol.rtmp.session;

import io.cascade.protocol.amf0.Amf0Reader;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.handshake.RtmpHandshake;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.message.UserControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session driven with no socket by the command sequences real clients send (ffmpeg 5.1 publishing and playing,
 * OBS publishing, GStreamer 1.22's rtmp2src playing): what it asks the roles, and what it answers.
 */
class RtmpSessionTest {
    /** The session's listener, and a client decoding what the session sends. */
    private static final class Client implements RtmpSession.Listener {
        final RtmpSession session = new RtmpSession(this);
        final ChunkDecoder fromServer = new ChunkDecoder();
        ChunkEncoder toServer = new ChunkEncoder(ChunkDecoder.DEFAULT_CHUNK_SIZE);
        final List<RtmpMessage> received = new ArrayList<>();
        final List<PublishRequest> publishes = new ArrayList<>();
        final List<PlayRequest> plays = new ArrayList<>();
        final List<RtmpMessage> media = new ArrayList<>();
        final List<Integer> closedStreams = new ArrayList<>();
        final List<ConnectRequest> connects = new ArrayList<>();
        String rejection;
        /** Applications whose plays name files, and what the role answers a seek. */
        final java.util.Set<String> fileApps = new java.util.HashSet<>();
        boolean seekable = true;
        final List<Long> seeks = new ArrayList<>();
        final List<Boolean> pauses = new ArrayList<>();
        private boolean handshaking = true;

        Client() throws RtmpProtocolException {
            session.receive(RtmpHandshake.clientHello(true), 0, RtmpHandshake.C0C1_SIZE);
            session.receive(new byte[RtmpHandshake.PACKET_SIZE], 0, RtmpHandshake.PACKET_SIZE); // C2
        }

        @Override
        public String onConnect(ConnectRequest request) {
            connects.add(request);
            return rejection;
        }

        @Override
        public void send(byte[] bytes) {
            if (handshaking) {
                handshaking = false; // S0 S1 S2
                return;
            }
            try {
                fromServer.feed(bytes, 0, bytes.length, received::add);
            } catch (RtmpProtocolException e) {
                throw new AssertionError(e);
            }
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
            media.add(message);
        }

        @Override
        public void onStreamClosed(int streamId) {
            closedStreams.add(streamId);
        }

        @Override
        public boolean servesFiles(String app) {
            return fileApps.contains(app);
        }

        @Override
        public boolean onSeek(int streamId, long millis) {
            seeks.add(millis);
            return seekable;
        }

        @Override
        public void onPause(int streamId, boolean pause) {
            pauses.add(pause);
        }

        /** What the session sent since the last call, as "name code" for commands and data, "uc<type>" for events. */
        List<String> since() throws Exception {
            List<String> out = new ArrayList<>();
            for (RtmpMessage m : received) {
                if (m.typeId() == MessageType.USER_CONTROL) {
                    out.add("uc" + UserControl.decode(m.payload()).eventType());
                } else if (m.typeId() == MessageType.COMMAND_AMF0 || m.typeId() == MessageType.DATA_AMF0) {
                    List<Object> v = Amf0Reader.readAll(m.payload(), 0, m.payload().length);
                    Object last = v.get(v.size() - 1);
                    out.add(v.get(0) + (last instanceof Map<?, ?> info && info.get("code") != null
                            ? " " + info.get("code") : ""));
                }
            }
            received.clear();
            return out;
        }

        void message(int csid, int type, int streamId, long ts, byte[] payload) throws RtmpProtocolException {
            byte[] bytes = toServer.encode(new RtmpMessage(csid, type, streamId, ts, payload));
            session.receive(bytes, 0, bytes.length);
        }

        void command(int streamId, String name, double tx, Object... args) throws RtmpProtocolException {
            Amf0Writer w = new Amf0Writer().write(name).write(tx);
            for (Object a : args) {
                w.write(a);
            }
            message(3, MessageType.COMMAND_AMF0, streamId, 0, w.toByteArray());
        }

        /** The commands and data the session sent, as "name" or "name code". */
        List<String> answers() throws Exception {
            List<String> out = new ArrayList<>();
            for (RtmpMessage m : received) {
                if (m.typeId() == MessageType.COMMAND_AMF0 || m.typeId() == MessageType.DATA_AMF0) {
                    List<Object> v = Amf0Reader.readAll(m.payload(), 0, m.payload().length);
                    Object last = v.get(v.size() - 1);
                    out.add(v.get(0) + (last instanceof Map<?, ?> info && info.get("code") != null
                            ? " " + info.get("code") : ""));
                }
            }
            return out;
        }
    }

    private static Map<String, Object> connectObject(String app, String flashVer) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("app", app);
        o.put("type", "nonprivate");
        o.put("flashVer", flashVer);
        o.put("tcUrl", "rtmp://127.0.0.1:1935/" + app);
        return o;
    }

    /**
     * A connect the connection turns down (a password challenge): the client gets NetConnection.Connect.Rejected
     * with the description, on the connect's transaction, and nothing it sends afterwards is acted on.
     */
    @Test
    void aRejectedConnectIsAnsweredWithItsDescriptionAndEndsTheSession() throws Exception {
        Client c = new Client();
        c.rejection = "[ AccessManager.Reject ] : [ code=403 need auth; authmod=adobe ] : ";
        c.command(0, "connect", 1, connectObject("live?authmod=adobe&user=enc", "FMLE/3.0 (compatible; Lavf59.27.100)"));
        assertEquals(List.of(new ConnectRequest("live", "authmod=adobe&user=enc", "FMLE/3.0 (compatible; Lavf59.27.100)")),
                c.connects);
        assertTrue(c.connects.get(0).fromEncoder());
        assertEquals(List.of("_error NetConnection.Connect.Rejected"), c.answers());
        List<Object> error = Amf0Reader.readAll(c.received.get(0).payload(), 0, c.received.get(0).payload().length);
        assertEquals(1.0, error.get(1));
        assertEquals(c.rejection, ((Map<?, ?>) error.get(3)).get("description"));
        c.command(0, "createStream", 2, (Object) null);
        c.command(1, "publish", 3, null, "cam", "live");
        assertEquals(1, c.answers().size());
        assertTrue(c.publishes.isEmpty());
    }

    /** ffmpeg -f flv rtmp://.../live/cam?key=1: connect, releaseStream, FCPublish, createStream, publish. */
    @Test
    void ffmpegPublishes() throws Exception {
        Client c = new Client();
        c.message(2, MessageType.SET_CHUNK_SIZE, 0, 0, new SetChunkSize(4096).encode());
        c.toServer = new ChunkEncoder(4096);
        c.command(0, "connect", 1, connectObject("live", "FMLE/3.0 (compatible; Lavf59.27.100)"));
        c.command(0, "releaseStream", 2, null, "cam?key=1");
        c.command(0, "FCPublish", 3, null, "cam?key=1");
        c.command(0, "createStream", 4, (Object) null);
        c.command(1, "publish", 5, null, "cam?key=1", "live");
        assertEquals(List.of(new PublishRequest(1, "live", "cam", "key=1", "live")), c.publishes);
        assertEquals(List.of("_result NetConnection.Connect.Success", "_result", "_result", "_result"), c.answers());

        c.session.acceptPublish(1, "cam?key=1");
        assertEquals("onStatus NetStream.Publish.Start", c.answers().get(4));
        c.message(4, MessageType.DATA_AMF0, 1, 0, Amf0Writer.encode("@setDataFrame", "onMetaData",
                Map.of("width", 320.0)));
        c.message(6, MessageType.VIDEO, 1, 0, new byte[] {0x17, 0, 0, 0, 0});
        c.message(4, MessageType.AUDIO, 1, 0, new byte[] {(byte) 0xAF, 0, 0x12, 0x10});
        assertEquals(List.of(MessageType.DATA_AMF0, MessageType.VIDEO, MessageType.AUDIO),
                c.media.stream().map(RtmpMessage::typeId).toList());

        c.command(0, "FCUnpublish", 6, null, "cam?key=1");
        c.command(0, "deleteStream", 7, null, 1.0);
        assertEquals(List.of(1), c.closedStreams);
    }

    /** OBS: the same sequence with its own connect object; no media flows before the publish is accepted. */
    @Test
    void obsPublishesAndNothingFlowsUnlessThePublishIsAccepted() throws Exception {
        Client c = new Client();
        Map<String, Object> connect = connectObject("live", "FMLE/3.0 (compatible; FMSc/1.0)");
        connect.put("swfUrl", "rtmp://127.0.0.1:1935/live");
        c.command(0, "connect", 1, connect);
        c.command(0, "releaseStream", 2, null, "obs");
        c.command(0, "FCPublish", 3, null, "obs");
        c.command(0, "createStream", 4, (Object) null);
        c.command(1, "publish", 5, null, "obs", "live");
        c.message(6, MessageType.VIDEO, 1, 0, new byte[] {0x17, 0, 0, 0, 0});
        assertTrue(c.media.isEmpty(), "media before the publish is accepted is dropped");

        c.session.refusePublish(1, "NetStream.Publish.BadName", "taken");
        List<String> answers = c.answers();
        assertEquals("onStatus NetStream.Publish.BadName", answers.get(answers.size() - 1));
        c.message(6, MessageType.VIDEO, 1, 0, new byte[] {0x17, 0, 0, 0, 0});
        assertTrue(c.media.isEmpty(), "nor after it was refused");
    }

    /** GStreamer rtmp2src and ffmpeg as players: connect, createStream, getStreamLength, play, setBufferLength. */
    @Test
    void playersGetPlayStartAndNoScriptDataTheyWouldTakeForAStream() throws Exception {
        Client c = new Client();
        c.command(0, "connect", 1, connectObject("live", "LNX 10,0,32,18"));
        c.command(0, "createStream", 2, (Object) null);
        c.command(1, "getStreamLength", 3, null, "show");
        c.command(1, "play", 4, null, "show", -2000.0);
        c.message(2, MessageType.USER_CONTROL, 0, 0, UserControl.setBufferLength(1, 3000).encode());
        assertEquals(1, c.plays.size());
        assertEquals("show", c.plays.get(0).name());
        assertTrue(c.plays.get(0).reset());

        c.session.startPlay(1, "show", true);
        List<String> answers = c.answers();
        assertEquals(List.of("onStatus NetStream.Play.Reset", "onStatus NetStream.Play.Start", "|RtmpSampleAccess"),
                answers.subList(answers.size() - 3, answers.size()));
        // script data ffmpeg's FLV reader does not know becomes a data stream that never gets a packet
        assertFalse(answers.contains("onStatus NetStream.Data.Start"), answers.toString());

        c.session.unpublishNotify(1, "show");
        c.session.publishNotify(1, "show");
        answers = c.answers();
        assertEquals(List.of("onStatus NetStream.Play.UnpublishNotify", "onStatus NetStream.Play.PublishNotify"),
                answers.subList(answers.size() - 2, answers.size()));
    }

    @Test
    void aCommandBeforeConnectIsAProtocolViolation() throws Exception {
        Client c = new Client();
        assertThrows(RtmpProtocolException.class, () -> c.command(0, "createStream", 1, (Object) null));
    }

    @Test
    void publishOnAStreamNeverCreatedIsAProtocolViolation() throws Exception {
        Client c = new Client();
        c.command(0, "connect", 1, connectObject("live", "FMLE/3.0"));
        assertThrows(RtmpProtocolException.class, () -> c.command(5, "publish", 2, null, "x", "live"));
        assertTrue(c.publishes.isEmpty());
    }

    /** A player of a file in a file application: connect, createStream, SetBufferLength, play, as ffmpeg sends them. */
    private static Client playingAFile(String name) throws Exception {
        Client c = new Client();
        c.fileApps.add("vod");
        c.command(0, "connect", 1, connectObject("vod", "LNX 9,0,124,2"));
        c.command(0, "createStream", 2, (Object) null);
        c.message(2, MessageType.USER_CONTROL, 0, 0, UserControl.setBufferLength(1, 3000).encode());
        c.command(1, "play", 3, null, name, -2000.0);
        assertEquals(1, c.plays.size(), "the play reached the role");
        c.session.startPlay(1, name, true, true);
        c.since();
        return c;
    }

    /**
     * Names of files (Flash's mp4: prefix, folders) pass in file applications only; control characters never; the
     * buffer length the player asked for before its play is kept for the role.
     */
    @Test
    void fileApplicationsTakeFileNamesAndKeepTheBufferLength() throws Exception {
        Client c = playingAFile("mp4:films/clip.mp4");
        assertEquals("mp4:films/clip.mp4", c.plays.get(0).name());
        assertEquals(-2000.0, c.plays.get(0).start());
        assertEquals(3000, c.session.bufferMillis(1));
        assertEquals(-1, c.session.bufferMillis(7));

        Client live = new Client();
        live.command(0, "connect", 1, connectObject("live", "LNX 9,0,124,2"));
        live.command(0, "createStream", 2, (Object) null);
        live.command(1, "play", 3, null, "mp4:clip.mp4", -2000.0);
        assertTrue(live.plays.isEmpty(), "a live application keeps its name rule");
        List<String> answered = live.since();
        assertEquals("onStatus NetStream.Play.StreamNotFound", answered.get(answered.size() - 1));

        Client control = new Client();
        control.fileApps.add("vod");
        control.command(0, "connect", 1, connectObject("vod", "LNX 9,0,124,2"));
        control.command(0, "createStream", 2, (Object) null);
        control.command(1, "play", 3, null, "clip\nforged.mp4", -2000.0);
        assertTrue(control.plays.isEmpty(), "a control character is refused before the role sees it");
    }

    /** Flash's seek on a file: the role repositions, the client hears what Flash servers say, in their order. */
    @Test
    void aSeekOnAFileIsNotifiedAsFlashServersDo() throws Exception {
        Client c = playingAFile("clip");
        c.command(1, "seek", 4, null, 10_000.0);
        assertEquals(List.of(10_000L), c.seeks);
        assertEquals(List.of("uc" + UserControl.STREAM_IS_RECORDED, "uc" + UserControl.STREAM_BEGIN,
                "onStatus NetStream.Seek.Notify", "onStatus NetStream.Play.Reset", "onStatus NetStream.Play.Start"),
                c.since());

        c.seekable = false;
        c.command(1, "seek", 5, null, -5.0);
        assertEquals(List.of(10_000L, 0L), c.seeks, "a negative position is the start");
        assertEquals(List.of("onStatus NetStream.Seek.Failed"), c.since());
    }

    /** Pause and unpause: the role is told once per change, the client is answered every time. */
    @Test
    void pauseAndUnpauseOnAFile() throws Exception {
        Client c = playingAFile("clip.mp4");
        c.command(1, "pause", 4, null, true, 4_000.0);
        assertEquals(List.of("uc" + UserControl.STREAM_EOF, "onStatus NetStream.Pause.Notify"), c.since());
        c.command(1, "pause", 5, null, true, 4_000.0);
        c.command(1, "pause", 6, null, false, 4_000.0);
        assertEquals(List.of("uc" + UserControl.STREAM_EOF, "onStatus NetStream.Pause.Notify",
                "uc" + UserControl.STREAM_BEGIN, "onStatus NetStream.Unpause.Notify"), c.since());
        assertEquals(List.of(true, false), c.pauses);
    }

    /** Live streams cannot seek or pause: both commands are ignored as before, whatever the player sends. */
    @Test
    void seekAndPauseOnALiveStreamAreIgnored() throws Exception {
        Client c = new Client();
        c.command(0, "connect", 1, connectObject("live", "LNX 9,0,124,2"));
        c.command(0, "createStream", 2, (Object) null);
        c.command(1, "play", 3, null, "show", -2000.0);
        c.session.startPlay(1, "show", true);
        c.since();
        c.command(1, "seek", 4, null, 10_000.0);
        c.command(1, "pause", 5, null, true, 0.0);
        assertEquals(List.of(), c.since());
        assertTrue(c.seeks.isEmpty() && c.pauses.isEmpty());
    }

    /**
     * The end of a file: onPlayStatus Complete, StreamEOF, Play.Stop (what makes ffmpeg end by itself); the stream is
     * idle after it, so a seek is no longer the role's and the client may play again.
     */
    @Test
    void theEndOfAFileCompletesThePlay() throws Exception {
        Client c = playingAFile("clip");
        c.session.completePlay(1, "clip", 12_000, 1_000_000);
        assertEquals(List.of("onPlayStatus NetStream.Play.Complete", "uc" + UserControl.STREAM_EOF,
                "onStatus NetStream.Play.Stop"), c.since());
        c.command(1, "seek", 4, null, 0.0);
        assertTrue(c.seeks.isEmpty());
        c.command(1, "play", 5, null, "clip", 0.0);
        assertEquals(2, c.plays.size());
        c.session.failPlay(1, "Cannot play clip.");
        assertEquals(List.of("onStatus NetStream.Play.Failed"), c.since());
    }
}
