package io.cascade.protocol.rtmp.session;

import io.cascade.media.StreamNames;
import io.cascade.protocol.amf0.Amf0Exception;
import io.cascade.protocol.amf0.Amf0Reader;
import io.cascade.protocol.amf0.Amf0Undefined;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.rtmp.RtmpProtocolException;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.handshake.RtmpHandshake;
import io.cascade.protocol.rtmp.message.Acknowledgement;
import io.cascade.protocol.rtmp.message.AggregateMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.message.SetPeerBandwidth;
import io.cascade.protocol.rtmp.message.UserControl;
import io.cascade.protocol.rtmp.message.WindowAckSize;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server side of one RTMP connection, from the first handshake byte to the NetStream commands, with no I/O:
 * bytes come in through {@link #receive}, bytes to send and decisions to take go out through the {@link Listener}.
 *
 * <p>Publishing and playing share one port and one session (a client says which only after {@code connect}),
 * so the session asks its listener, which belongs to the ingest or the edge role, and the listener answers
 * through {@link #acceptPublish}, {@link #refusePublish}, {@link #startPlay} and the notify methods, possibly
 * later (a registry lookup is asynchronous). Not thread-safe: one connection, one thread.
 */
public final class RtmpSession {
    /** Outbound chunk size for everything this server sends: 4 KiB keeps headers under 0.3 % of a frame. */
    public static final int OUT_CHUNK_SIZE = 4096;
    /** Acknowledgement window we ask clients to use and announce as peer bandwidth (what common servers use). */
    public static final long WINDOW_ACK_SIZE = 2_500_000;
    /** NetStreams one connection may create: encoders and players use one; this bounds a createStream loop. */
    public static final int MAX_STREAMS = 8;
    /**
     * Longest file name a play in a file application may carry: paths are deep at times, never this long, and the
     * name is logged and resolved on disk.
     */
    public static final int MAX_FILE_NAME_LENGTH = 1024;

    public static final int CSID_CONTROL = 2;
    public static final int CSID_COMMAND = 3;
    public static final int CSID_AUDIO = 4;
    public static final int CSID_STATUS = 5;
    public static final int CSID_VIDEO = 6;

    /** What the session needs from its connection and from the roles serving it. */
    public interface Listener {
        /** Bytes to write to the peer, in order. */
        void send(byte[] bytes);

        /**
         * Decides on a {@code connect}: null accepts it; anything else is the description of the
         * {@code NetConnection.Connect.Rejected} the client gets, after which the session takes no more input and the
         * connection should close.
         */
        String onConnect(ConnectRequest request);

        /** Answer later with {@link #acceptPublish} or {@link #refusePublish}. */
        void onPublish(PublishRequest request);

        /** Answer later with {@link #startPlay} or {@link #playNotFound}. */
        void onPlay(PlayRequest request);

        /** Audio, video or data message on a stream whose publish was accepted. */
        void onMedia(int streamId, RtmpMessage message);

        /** The client closed or deleted a stream (publishing or playing). */
        void onStreamClosed(int streamId);

        /**
         * Whether plays in {@code app} name files (VOD) rather than live streams: their names are paths the role
         * confines itself ({@code mp4:sub/clip.mp4}), so the session lets through what a live name may not hold.
         */
        default boolean servesFiles(String app) {
            return false;
        }

        /**
         * A {@code seek} on a stream started with {@link #startPlay(int, String, boolean, boolean) recorded}: true
         * when playback now starts again from {@code millis} (the session then tells the client), false when it cannot.
         */
        default boolean onSeek(int streamId, long millis) {
            return false;
        }

        /** A {@code pause} (true) or unpause (false) on a recorded stream; the session answers the client. */
        default void onPause(int streamId, boolean pause) {
        }
    }

    private enum State { AWAIT_C0C1, AWAIT_C2, AWAIT_CONNECT, CONNECTED, REJECTED }

    private enum StreamState { CREATED, PUBLISH_PENDING, PUBLISHING, PLAY_PENDING, PLAYING }

    private final Listener listener;
    private final ChunkDecoder decoder = new ChunkDecoder();
    private final ChunkEncoder encoder = new ChunkEncoder(OUT_CHUNK_SIZE);
    private final ChunkEncoder initialEncoder = new ChunkEncoder(ChunkDecoder.DEFAULT_CHUNK_SIZE);
    private final Map<Integer, StreamState> streams = new LinkedHashMap<>();
    /** Playing streams that are files (seek and pause apply), and of those the paused ones. */
    private final Set<Integer> recorded = new HashSet<>();
    private final Set<Integer> paused = new HashSet<>();
    /** The client's SetBufferLength per stream id (sent before play as often as after): how far ahead it buffers. */
    private final Map<Integer, Long> bufferMillis = new HashMap<>();
    private final byte[] handshake = new byte[RtmpHandshake.C0C1_SIZE];
    private int handshakeFill;
    private State state = State.AWAIT_C0C1;
    private boolean chunkSizeSent;
    private int nextStreamId = 1;
    private String app = "";
    private long peerAckWindow = WINDOW_ACK_SIZE;
    private long lastAcked;

    public RtmpSession(Listener listener) {
        this.listener = listener;
    }

    /** True once the handshake completed; used by the connection to cancel its handshake deadline. */
    public boolean handshakeDone() {
        return state == State.AWAIT_CONNECT || state == State.CONNECTED || state == State.REJECTED;
    }

    /** Feeds bytes from the socket. Any exception is final: the connection must be closed. */
    public void receive(byte[] data, int offset, int length) throws RtmpProtocolException {
        int at = offset;
        int end = offset + length;
        while (at < end && !handshakeDone()) {
            at = receiveHandshake(data, at, end);
        }
        if (at < end) {
            decoder.feed(data, at, end - at, this::onMessageUnchecked);
            acknowledge();
        }
        if (pendingError != null) {
            RtmpProtocolException e = pendingError;
            pendingError = null;
            throw e;
        }
    }

    private int receiveHandshake(byte[] data, int at, int end) throws RtmpProtocolException {
        int want = (state == State.AWAIT_C0C1 ? RtmpHandshake.C0C1_SIZE : RtmpHandshake.PACKET_SIZE) - handshakeFill;
        if (state == State.AWAIT_C0C1 && handshakeFill == 0 && data[at] != RtmpHandshake.VERSION) {
            throw new RtmpProtocolException("C0 version " + (data[at] & 0xFF) + ", only " + RtmpHandshake.VERSION
                    + " exists");
        }
        int n = Math.min(want, end - at);
        System.arraycopy(data, at, handshake, handshakeFill, n);
        handshakeFill += n;
        if (n == want) {
            handshakeFill = 0;
            if (state == State.AWAIT_C0C1) {
                listener.send(RtmpHandshake.serverResponse(handshake));
                state = State.AWAIT_C2;
            } else {
                state = State.AWAIT_CONNECT; // C2 content is not checked: clients disagree on it, nothing depends on it
            }
        }
        return at + n;
    }

    // The decoder's consumer cannot throw a checked exception; the first failure is kept and rethrown.
    private RtmpProtocolException pendingError;

    private void onMessageUnchecked(RtmpMessage m) {
        if (pendingError != null) {
            return;
        }
        try {
            onMessage(m);
        } catch (RtmpProtocolException e) {
            pendingError = e;
        }
    }

    private void onMessage(RtmpMessage m) throws RtmpProtocolException {
        switch (m.typeId()) {
            case MessageType.SET_CHUNK_SIZE, MessageType.ABORT, MessageType.ACKNOWLEDGEMENT,
                 MessageType.SET_PEER_BANDWIDTH -> {
                // chunk size and abort are applied by the decoder; acks and bandwidth hints need no answer
            }
            case MessageType.WINDOW_ACK_SIZE -> peerAckWindow = Math.max(1, WindowAckSize.decode(m.payload()).size());
            case MessageType.USER_CONTROL -> onUserControl(UserControl.decode(m.payload()));
            case MessageType.COMMAND_AMF0 -> onCommand(m, 0);
            case MessageType.COMMAND_AMF3 -> onCommand(m, 1); // AMF3 command = format byte 0, then AMF0 values
            case MessageType.AUDIO, MessageType.VIDEO, MessageType.DATA_AMF0 -> onMedia(m);
            case MessageType.DATA_AMF3 -> onMedia(new RtmpMessage(m.chunkStreamId(), MessageType.DATA_AMF0,
                    m.messageStreamId(), m.timestamp(), m.payload().length > 0
                    ? Arrays.copyOfRange(m.payload(), 1, m.payload().length) : m.payload()));
            case MessageType.AGGREGATE -> {
                for (RtmpMessage sub : AggregateMessage.split(m)) {
                    onMessage(sub);
                }
            }
            default -> {
                // shared objects and unknown types: nothing a live server needs; ignoring them is what peers do
            }
        }
    }

    private void onUserControl(UserControl uc) {
        if (uc.eventType() == UserControl.PING_REQUEST) {
            sendControl(MessageType.USER_CONTROL, UserControl.pingResponse(uc.value()).encode());
        } else if (uc.eventType() == UserControl.SET_BUFFER_LENGTH && streams.containsKey(uc.streamId())) {
            // only for streams that exist: MAX_STREAMS bounds the map
            bufferMillis.put(uc.streamId(), uc.bufferLength());
        }
    }

    /** The buffer length the client asked for on this stream (SetBufferLength), or -1 when it sent none. */
    public long bufferMillis(int streamId) {
        return bufferMillis.getOrDefault(streamId, -1L);
    }

    private void onMedia(RtmpMessage m) {
        if (streams.get(m.messageStreamId()) == StreamState.PUBLISHING) {
            listener.onMedia(m.messageStreamId(), m);
        }
        // media on a stream that is not publishing (yet) is dropped, as after a refused publish
    }

    private void onCommand(RtmpMessage m, int skip) throws RtmpProtocolException {
        List<Object> values;
        try {
            values = Amf0Reader.readAll(m.payload(), Math.min(skip, m.payload().length),
                    m.payload().length - Math.min(skip, m.payload().length));
        } catch (Amf0Exception e) {
            throw new RtmpProtocolException("bad AMF0 in command: " + e.getMessage());
        }
        if (values.isEmpty() || !(values.get(0) instanceof String name)) {
            throw new RtmpProtocolException("command without a name");
        }
        double tx = values.size() > 1 && values.get(1) instanceof Double d ? d : 0;
        if (state == State.REJECTED) {
            return; // the connection is closing: whatever the client sent after its connect is moot
        }
        if (state != State.CONNECTED && !name.equals("connect")) {
            throw new RtmpProtocolException("'" + name + "' before connect");
        }
        int streamId = m.messageStreamId();
        switch (name) {
            case "connect" -> onConnect(tx, values);
            case "createStream" -> onCreateStream(tx);
            case "releaseStream", "FCPublish", "FCUnpublish", "FCSubscribe" -> sendResult(tx, null, Amf0Undefined.INSTANCE);
            case "getStreamLength" -> sendResult(tx, null, 0.0); // live: no known length
            case "publish" -> onPublish(streamId, values);
            case "play" -> onPlay(streamId, values);
            case "deleteStream" -> {
                if (values.size() > 3 && values.get(3) instanceof Double id) {
                    closeStream(id.intValue());
                }
            }
            case "closeStream" -> closeStream(streamId);
            case "seek" -> onSeek(streamId, values);
            case "pause", "pauseRaw" -> onPause(streamId, values);
            default -> {
                // receiveAudio, receiveVideo, _checkbw...: not meaningful here; ignored
            }
        }
    }

    private void onConnect(double tx, List<Object> values) throws RtmpProtocolException {
        if (state == State.CONNECTED) {
            throw new RtmpProtocolException("second connect on one connection");
        }
        Map<?, ?> command = values.size() > 2 && values.get(2) instanceof Map<?, ?> map ? map : Map.of();
        String rawApp = command.get("app") instanceof String s ? s : "";
        StreamName parsed = StreamName.parse(rawApp);
        app = parsed.name();
        while (app.endsWith("/")) {
            app = app.substring(0, app.length() - 1);
        }
        if (!StreamNames.isValid(app)) {
            sendCommand(0, "_error", tx, null, status("error", "NetConnection.Connect.Rejected",
                    "Invalid application name"));
            throw new RtmpProtocolException("invalid application name in connect");
        }
        String flashVer = command.get("flashVer") instanceof String s ? s : "";
        String rejection = listener.onConnect(new ConnectRequest(app, parsed.query(), flashVer));
        if (rejection != null) {
            state = State.REJECTED;
            sendCommand(0, "_error", tx, null, status("error", "NetConnection.Connect.Rejected", rejection));
            return;
        }
        state = State.CONNECTED;
        sendControl(MessageType.WINDOW_ACK_SIZE, new WindowAckSize(WINDOW_ACK_SIZE).encode());
        sendControl(MessageType.SET_PEER_BANDWIDTH, new SetPeerBandwidth(WINDOW_ACK_SIZE, 2).encode());
        sendControl(MessageType.SET_CHUNK_SIZE, new SetChunkSize(OUT_CHUNK_SIZE).encode());
        chunkSizeSent = true;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fmsVer", "FMS/3,5,7,7009");
        props.put("capabilities", 31.0);
        props.put("mode", 1.0);
        Map<String, Object> info = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.put("objectEncoding", 0.0);
        sendCommand(0, "_result", tx, props, info);
    }

    private void onCreateStream(double tx) throws RtmpProtocolException {
        if (streams.size() >= MAX_STREAMS) {
            throw new RtmpProtocolException("more than " + MAX_STREAMS + " streams on one connection");
        }
        int id = nextStreamId++;
        streams.put(id, StreamState.CREATED);
        sendResult(tx, null, (double) id);
    }

    private void onPublish(int streamId, List<Object> values) throws RtmpProtocolException {
        requireIdle(streamId, "publish");
        String raw = values.size() > 3 && values.get(3) instanceof String s ? s : "";
        String type = values.size() > 4 && values.get(4) instanceof String s ? s : "live";
        StreamName sn = StreamName.parse(raw);
        if (!StreamNames.isValid(sn.name())) {
            sendStatus(streamId, "error", "NetStream.Publish.BadName", "Invalid stream name");
            return;
        }
        streams.put(streamId, StreamState.PUBLISH_PENDING);
        listener.onPublish(new PublishRequest(streamId, app, sn.name(), sn.query(), type));
    }

    private void onPlay(int streamId, List<Object> values) throws RtmpProtocolException {
        requireIdle(streamId, "play");
        String raw = values.size() > 3 && values.get(3) instanceof String s ? s : "";
        double start = values.size() > 4 && values.get(4) instanceof Double d ? d : -2;
        double duration = values.size() > 5 && values.get(5) instanceof Double d ? d : -1;
        boolean reset = !(values.size() > 6 && values.get(6) instanceof Boolean b) || b;
        StreamName sn = StreamName.parse(raw);
        boolean valid = listener.servesFiles(app) ? isFileName(sn.name()) : StreamNames.isValid(sn.name());
        if (!valid) {
            sendStatus(streamId, "error", "NetStream.Play.StreamNotFound", "Invalid stream name");
            return;
        }
        streams.put(streamId, StreamState.PLAY_PENDING);
        listener.onPlay(new PlayRequest(streamId, app, sn.name(), sn.query(), start, duration, reset));
    }

    /**
     * A name a file application may be asked for: printable, not empty, bounded. Whether it names a file inside the
     * folder is the role's check on the path (never this one's), so this only keeps control characters out of logs.
     */
    private static boolean isFileName(String name) {
        if (name.isEmpty() || name.length() > MAX_FILE_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code seek(null, milliseconds)} on a playing file: the role restarts from the keyframe at or before it; the
     * client is told as Flash servers tell it (the stream is recorded and begins again, Seek.Notify, then Play.Reset
     * and Play.Start), and the frames from the new position follow. Live streams cannot seek: ignored, as before.
     */
    private void onSeek(int streamId, List<Object> values) {
        if (streams.get(streamId) != StreamState.PLAYING || !recorded.contains(streamId)) {
            return;
        }
        double at = values.size() > 3 && values.get(3) instanceof Double d ? d : 0;
        long millis = Double.isFinite(at) ? Math.max(0, (long) at) : 0;
        if (!listener.onSeek(streamId, millis)) {
            sendStatus(streamId, "error", "NetStream.Seek.Failed", "Seeking " + millis + " failed.");
            return;
        }
        sendControl(MessageType.USER_CONTROL, UserControl.streamIsRecorded(streamId).encode());
        sendControl(MessageType.USER_CONTROL, UserControl.streamBegin(streamId).encode());
        sendStatus(streamId, "status", "NetStream.Seek.Notify", "Seeking " + millis + " (stream ID: " + streamId
                + ").");
        sendStatus(streamId, "status", "NetStream.Play.Reset", "Playing and resetting.");
        sendStatus(streamId, "status", "NetStream.Play.Start", "Started playing.");
    }

    /**
     * {@code pause(null, pause, milliseconds)} on a playing file: pausing stops the frames (StreamEOF, as the stream
     * is dry for now, and Pause.Notify), unpausing goes on from where they stopped (StreamBegin, Unpause.Notify).
     * A second pause or unpause in a row is answered again and changes nothing. Live streams: ignored, as before.
     */
    private void onPause(int streamId, List<Object> values) {
        if (streams.get(streamId) != StreamState.PLAYING || !recorded.contains(streamId)) {
            return;
        }
        // Flash sends pause as a boolean; a player that sends nothing there means "pause", as pauseRaw did
        boolean pause = !(values.size() > 3 && values.get(3) instanceof Boolean b) || b;
        if (pause) {
            if (paused.add(streamId)) {
                listener.onPause(streamId, true);
            }
            sendControl(MessageType.USER_CONTROL, UserControl.streamEof(streamId).encode());
            sendStatus(streamId, "status", "NetStream.Pause.Notify", "Pausing.");
        } else {
            if (paused.remove(streamId)) {
                listener.onPause(streamId, false);
            }
            sendControl(MessageType.USER_CONTROL, UserControl.streamBegin(streamId).encode());
            sendStatus(streamId, "status", "NetStream.Unpause.Notify", "Unpausing.");
        }
    }

    private void requireIdle(int streamId, String command) throws RtmpProtocolException {
        StreamState s = streams.get(streamId);
        if (s == null) {
            throw new RtmpProtocolException(command + " on stream " + streamId + " that was never created");
        }
        if (s != StreamState.CREATED) {
            throw new RtmpProtocolException(command + " on stream " + streamId + " that is already " + s);
        }
    }

    private void closeStream(int streamId) {
        StreamState s = streams.get(streamId);
        if (s != null && s != StreamState.CREATED) {
            toCreated(streamId);
            listener.onStreamClosed(streamId);
        }
    }

    // ---- answers from the roles ----

    public void acceptPublish(int streamId, String name) {
        if (streams.get(streamId) != StreamState.PUBLISH_PENDING) {
            return;
        }
        streams.put(streamId, StreamState.PUBLISHING);
        sendControl(MessageType.USER_CONTROL, UserControl.streamBegin(streamId).encode());
        sendStatus(streamId, "status", "NetStream.Publish.Start", name + " is now published.");
    }

    /** Refuses a pending publish, e.g. code "NetStream.Publish.BadName" for a name that is live already. */
    public void refusePublish(int streamId, String code, String description) {
        if (streams.get(streamId) != StreamState.PUBLISH_PENDING) {
            return;
        }
        streams.put(streamId, StreamState.CREATED);
        sendStatus(streamId, "error", code, description);
    }

    public void startPlay(int streamId, String name, boolean reset) {
        startPlay(streamId, name, reset, false);
    }

    /**
     * Starts a pending play; {@code recorded}: it plays a file, so {@code seek} and {@code pause} reach the listener
     * and the play ends with {@link #completePlay}.
     */
    public void startPlay(int streamId, String name, boolean reset, boolean recorded) {
        if (streams.get(streamId) != StreamState.PLAY_PENDING) {
            return;
        }
        streams.put(streamId, StreamState.PLAYING);
        if (recorded) {
            this.recorded.add(streamId);
        }
        sendControl(MessageType.USER_CONTROL, UserControl.streamIsRecorded(streamId).encode());
        sendControl(MessageType.USER_CONTROL, UserControl.streamBegin(streamId).encode());
        if (reset) {
            sendStatus(streamId, "status", "NetStream.Play.Reset", "Playing and resetting " + name + ".");
        }
        sendStatus(streamId, "status", "NetStream.Play.Start", "Started playing " + name + ".");
        // no onStatus NetStream.Data.Start as FMS sends: ffmpeg's FLV reader turns script data it does not know
        // into a data stream of its own that never gets a packet, so `ffmpeg -map 0 -t N` would never end
        sendData(streamId, "|RtmpSampleAccess", true, true);
    }

    public void playNotFound(int streamId, String name) {
        StreamState s = streams.get(streamId);
        if (s != StreamState.PLAY_PENDING && s != StreamState.PLAYING) {
            return;
        }
        toCreated(streamId);
        sendStatus(streamId, "error", "NetStream.Play.StreamNotFound", "No such stream: " + name + ".");
    }

    /** Refuses a pending play, e.g. code "NetStream.Play.Failed" for a viewer authorisation turned down. */
    public void refusePlay(int streamId, String code, String description) {
        if (streams.get(streamId) != StreamState.PLAY_PENDING) {
            return;
        }
        toCreated(streamId);
        sendStatus(streamId, "error", code, description);
    }

    /** The stream a client plays lost its publisher; the client stays and waits. */
    public void unpublishNotify(int streamId, String name) {
        if (streams.get(streamId) == StreamState.PLAYING) {
            sendStatus(streamId, "status", "NetStream.Play.UnpublishNotify", name + " is now unpublished.");
        }
    }

    /** Playback ends from the server's side (the node goes out of service): NetStream.Play.Stop, as at a stream's end. */
    public void stopPlay(int streamId, String description) {
        if (streams.get(streamId) == StreamState.PLAYING) {
            toCreated(streamId);
            sendStatus(streamId, "status", "NetStream.Play.Stop", description);
        }
    }

    /**
     * A file played to its end: onPlayStatus NetStream.Play.Complete (with the duration and bytes played, as FMS
     * sends it), StreamEOF, then NetStream.Play.Stop, after which players such as ffmpeg end by themselves.
     */
    public void completePlay(int streamId, String name, long durationMillis, long bytes) {
        if (streams.get(streamId) != StreamState.PLAYING) {
            return;
        }
        toCreated(streamId);
        Map<String, Object> info = status("status", "NetStream.Play.Complete", "Finished playing " + name + ".");
        info.put("duration", durationMillis / 1000.0);
        info.put("bytes", (double) bytes);
        sendData(streamId, "onPlayStatus", info);
        sendControl(MessageType.USER_CONTROL, UserControl.streamEof(streamId).encode());
        sendStatus(streamId, "status", "NetStream.Play.Stop", "Stopped playing " + name + ".");
    }

    /** A play that started cannot go on (a file that cannot be read): NetStream.Play.Failed, the stream is idle. */
    public void failPlay(int streamId, String description) {
        StreamState s = streams.get(streamId);
        if (s != StreamState.PLAY_PENDING && s != StreamState.PLAYING) {
            return;
        }
        toCreated(streamId);
        sendStatus(streamId, "error", "NetStream.Play.Failed", description);
    }

    /** The stream is idle again: whatever its play was (a file, paused) is over. */
    private void toCreated(int streamId) {
        streams.put(streamId, StreamState.CREATED);
        recorded.remove(streamId);
        paused.remove(streamId);
    }

    /** The stream a client plays was published again. */
    public void publishNotify(int streamId, String name) {
        if (streams.get(streamId) == StreamState.PLAYING) {
            sendStatus(streamId, "status", "NetStream.Play.PublishNotify", name + " is now published.");
        }
    }

    // ---- output helpers ----

    private void acknowledge() {
        long received = decoder.bytesReceived();
        if (received - lastAcked >= peerAckWindow) {
            lastAcked = received;
            // the sequence number is the byte count modulo 2^32
            sendControl(MessageType.ACKNOWLEDGEMENT, new Acknowledgement(received & 0xFFFFFFFFL).encode());
        }
    }

    private void sendControl(int type, byte[] payload) {
        send(CSID_CONTROL, type, 0, payload);
    }

    private void sendResult(double tx, Object commandObject, Object result) {
        sendCommand(0, "_result", tx, commandObject, result);
    }

    private void sendCommand(int streamId, String name, double tx, Object commandObject, Object arg) {
        send(CSID_COMMAND, MessageType.COMMAND_AMF0, streamId, new Amf0Writer().write(name).write(tx)
                .write(commandObject).write(arg).toByteArray());
    }

    private void sendStatus(int streamId, String level, String code, String description) {
        Map<String, Object> info = status(level, code, description);
        send(CSID_STATUS, MessageType.COMMAND_AMF0, streamId, new Amf0Writer().write("onStatus").write(0.0)
                .write(null).write(info).toByteArray());
    }

    private void sendData(int streamId, Object... values) {
        send(CSID_STATUS, MessageType.DATA_AMF0, streamId, Amf0Writer.encode(values));
    }

    private static Map<String, Object> status(String level, String code, String description) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        return info;
    }

    private void send(int csid, int type, int streamId, byte[] payload) {
        ChunkEncoder enc = chunkSizeSent ? encoder : initialEncoder;
        listener.send(enc.encode(new RtmpMessage(csid, type, streamId, 0, payload)));
    }
}
