package io.cascade.protocol.rtmp.session;

import io.cascade.protocol.amf0.Amf0Exception;
import io.cascade.protocol.amf0.Amf0Reader;
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
import io.cascade.protocol.rtmp.message.UserControl;
import io.cascade.protocol.rtmp.message.WindowAckSize;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client side of one RTMP connection that plays a stream from another server (a pull) or publishes one to it
 * (a push), with no I/O: bytes come in through {@link #receive}, bytes to send and what happened go out through the
 * {@link Listener}. The command sequence is the one ffmpeg sends, which every server accepts: handshake,
 * {@code connect}, {@code createStream}, then {@code play} (with a buffer length) or {@code releaseStream},
 * {@code FCPublish} and {@code publish}. Not thread-safe: one connection, one thread.
 */
public final class RtmpClientSession {
    /** What the connection is for. */
    public enum Mode { PLAY, PUBLISH }

    /**
     * What {@code connect} carries besides the application: defaults like ffmpeg's, each overridable as EMS's
     * pullStream and pushStream allow.
     *
     * @param flashVer empty: {@link #DEFAULT_PLAY_FLASH_VER} or {@link #DEFAULT_PUBLISH_FLASH_VER}
     * @param tcUrl    empty: the URL up to the application
     * @param swfUrl   empty: none sent
     * @param pageUrl  empty: none sent
     */
    public record ConnectOptions(String flashVer, String tcUrl, String swfUrl, String pageUrl) {
        public static final ConnectOptions DEFAULTS = new ConnectOptions("", "", "", "");
        /** Their names as EMS's pullStream and pushStream take them. */
        public static final List<String> NAMES = List.of("flashVer", "tcUrl", "swfUrl", "pageUrl");

        /** From named values ("" where none is given), as a relay's options hold them. */
        public static ConnectOptions of(java.util.function.UnaryOperator<String> option) {
            return new ConnectOptions(option.apply("flashVer"), option.apply("tcUrl"), option.apply("swfUrl"),
                    option.apply("pageUrl"));
        }
    }

    /** What the session needs from its connection. */
    public interface Listener {
        /** Bytes to write to the server, in order. */
        void send(byte[] bytes);

        /** The server started the play ({@code NetStream.Play.Start}) or accepted the publish. */
        void onStarted(int streamId);

        /** Audio, video or data of the stream played. */
        void onMedia(RtmpMessage message);

        /**
         * The server refused or ended the stream ({@code NetConnection.Connect.Rejected},
         * {@code NetStream.Play.StreamNotFound}, {@code NetStream.Publish.BadName}, an unpublish, a stream EOF): the
         * connection is of no more use and should close.
         */
        void onEnded(String code, String description);
    }

    /** Asked for by the play command: how much the server may buffer for us, as ffmpeg asks. */
    public static final long PLAY_BUFFER_MS = 3_000;
    /** What ffmpeg (as a Linux Flash Player) and a Flash Media Live Encoder send; some servers check for one. */
    public static final String DEFAULT_PLAY_FLASH_VER = "LNX 9,0,124,2";
    public static final String DEFAULT_PUBLISH_FLASH_VER = "FMLE/3.0 (compatible; Cascade)";
    /** Acknowledgement window announced to the server. */
    public static final long WINDOW_ACK_SIZE = RtmpSession.WINDOW_ACK_SIZE;
    /**
     * Commands answered or announced before the stream starts: a server that keeps talking without ever starting
     * it is cut off rather than listened to forever.
     */
    public static final int MAX_COMMANDS_BEFORE_START = 64;

    /** The chunk stream ffmpeg sends play and publish on. */
    private static final int CSID_STREAM_COMMAND = 8;
    private static final double TX_CONNECT = 1;
    private static final double TX_RELEASE = 2;
    private static final double TX_FCPUBLISH = 3;
    private static final double TX_CREATE_STREAM = 4;

    private enum State { AWAIT_S0S1S2, AWAIT_CONNECTED, AWAIT_STREAM, AWAIT_START, STARTED, ENDED }

    private final Listener listener;
    private final Mode mode;
    private final RtmpUrl url;
    private final ConnectOptions options;
    private final ChunkDecoder decoder = new ChunkDecoder();
    /** Everything after connect goes out in 4 KiB chunks, as {@code FramesToRtmp} encodes media. */
    private final ChunkEncoder encoder = new ChunkEncoder(RtmpSession.OUT_CHUNK_SIZE);
    private final byte[] handshake = new byte[RtmpHandshake.S0S1S2_SIZE];
    private int handshakeFill;
    private State state = State.AWAIT_S0S1S2;
    private int streamId;
    private int commands;
    private long peerAckWindow = WINDOW_ACK_SIZE;
    private long lastAcked;
    private RtmpProtocolException pendingError;

    public RtmpClientSession(Listener listener, Mode mode, RtmpUrl url, ConnectOptions options) {
        this.listener = listener;
        this.mode = mode;
        this.url = url;
        this.options = options;
    }

    /** Sends C0 and C1: the first bytes on a new connection. */
    public void start() {
        listener.send(RtmpHandshake.clientHello(false));
    }

    public boolean started() {
        return state == State.STARTED;
    }

    /** The message stream id media is published on, once started. */
    public int streamId() {
        return streamId;
    }

    /** Feeds bytes from the socket. Any exception is final: the connection must be closed. */
    public void receive(byte[] data, int offset, int length) throws RtmpProtocolException {
        int at = offset;
        int end = offset + length;
        if (state == State.AWAIT_S0S1S2 && at < end) {
            at = receiveHandshake(data, at, end);
        }
        if (at < end && state != State.AWAIT_S0S1S2) {
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
        if (handshakeFill == 0 && data[at] != RtmpHandshake.VERSION) {
            throw new RtmpProtocolException("S0 version " + (data[at] & 0xFF) + ", only " + RtmpHandshake.VERSION
                    + " exists");
        }
        int n = Math.min(handshake.length - handshakeFill, end - at);
        System.arraycopy(data, at, handshake, handshakeFill, n);
        handshakeFill += n;
        if (handshakeFill == handshake.length) {
            // C2 echoes S1, which is what servers compare it with when they compare at all
            listener.send(Arrays.copyOfRange(handshake, 1, 1 + RtmpHandshake.PACKET_SIZE));
            state = State.AWAIT_CONNECTED;
            sendControl(MessageType.SET_CHUNK_SIZE, new SetChunkSize(RtmpSession.OUT_CHUNK_SIZE).encode());
            sendConnect();
        }
        return at + n;
    }

    private void sendConnect() {
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("app", url.app());
        if (mode == Mode.PUBLISH) {
            command.put("type", "nonprivate");
        }
        command.put("flashVer", !options.flashVer().isEmpty() ? options.flashVer()
                : mode == Mode.PLAY ? DEFAULT_PLAY_FLASH_VER : DEFAULT_PUBLISH_FLASH_VER);
        if (!options.swfUrl().isEmpty()) {
            command.put("swfUrl", options.swfUrl());
        }
        command.put("tcUrl", !options.tcUrl().isEmpty() ? options.tcUrl() : url.tcUrl());
        if (mode == Mode.PLAY) {
            command.put("fpad", false);
            command.put("capabilities", 15.0);
            command.put("audioCodecs", 4071.0);
            command.put("videoCodecs", 252.0);
            command.put("videoFunction", 1.0);
        }
        if (!options.pageUrl().isEmpty()) {
            command.put("pageUrl", options.pageUrl());
        }
        sendCommand(0, "connect", TX_CONNECT, command);
    }

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
            case MessageType.COMMAND_AMF3 -> onCommand(m, 1);
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
                // shared objects and unknown types: nothing a relay needs
            }
        }
    }

    private void onUserControl(UserControl uc) {
        if (uc.eventType() == UserControl.PING_REQUEST) {
            sendControl(MessageType.USER_CONTROL, UserControl.pingResponse(uc.value()).encode());
        } else if (uc.eventType() == UserControl.STREAM_EOF && state == State.STARTED && mode == Mode.PLAY
                && uc.streamId() == streamId) {
            end("StreamEOF", "the server ended the stream");
        }
    }

    private void onMedia(RtmpMessage m) {
        if (state == State.STARTED && mode == Mode.PLAY && m.messageStreamId() == streamId) {
            listener.onMedia(m);
        }
    }

    private void onCommand(RtmpMessage m, int skip) throws RtmpProtocolException {
        List<Object> values;
        try {
            int from = Math.min(skip, m.payload().length);
            values = Amf0Reader.readAll(m.payload(), from, m.payload().length - from);
        } catch (Amf0Exception e) {
            throw new RtmpProtocolException("bad AMF0 in a command from the server: " + e.getMessage());
        }
        if (values.isEmpty() || !(values.get(0) instanceof String name)) {
            throw new RtmpProtocolException("command without a name from the server");
        }
        if (state != State.STARTED && ++commands > MAX_COMMANDS_BEFORE_START) {
            throw new RtmpProtocolException("more than " + MAX_COMMANDS_BEFORE_START
                    + " commands from the server without starting the stream");
        }
        double tx = values.size() > 1 && values.get(1) instanceof Double d ? d : 0;
        Object info = values.size() > 3 ? values.get(3) : null;
        switch (name) {
            case "_result" -> onResult(tx, info);
            case "_error" -> {
                if (tx == TX_CONNECT || tx == TX_CREATE_STREAM) {
                    end(code(info, "NetConnection.Connect.Rejected"), description(info));
                }
                // an _error for releaseStream or FCPublish (servers that do not know them) changes nothing
            }
            case "onStatus" -> onStatus(info);
            default -> {
                // onBWDone, onFCPublish, |RtmpSampleAccess and the like: nothing to answer
            }
        }
    }

    private void onResult(double tx, Object info) {
        if (tx == TX_CONNECT && state == State.AWAIT_CONNECTED) {
            state = State.AWAIT_STREAM;
            sendControl(MessageType.WINDOW_ACK_SIZE, new WindowAckSize(WINDOW_ACK_SIZE).encode());
            if (mode == Mode.PUBLISH) {
                // what encoders send before createStream; servers that keep per-name state (FMS, Wowza) expect it
                sendCommand(0, "releaseStream", TX_RELEASE, null, url.stream());
                sendCommand(0, "FCPublish", TX_FCPUBLISH, null, url.stream());
            }
            sendCommand(0, "createStream", TX_CREATE_STREAM, null);
        } else if (tx == TX_CREATE_STREAM && state == State.AWAIT_STREAM) {
            if (!(info instanceof Double id) || id < 1 || id > Integer.MAX_VALUE) {
                end("NetStream.Failed", "createStream answered no stream id");
                return;
            }
            streamId = id.intValue();
            state = State.AWAIT_START;
            if (mode == Mode.PLAY) {
                sendCommand(streamId, "play", 0, null, url.stream(), -2000.0);
                sendControl(MessageType.USER_CONTROL, UserControl.setBufferLength(streamId, PLAY_BUFFER_MS).encode());
            } else {
                sendCommand(streamId, "publish", 0, null, url.stream(), "live");
            }
        }
    }

    private void onStatus(Object info) {
        String code = code(info, "");
        boolean error = info instanceof Map<?, ?> map && "error".equals(map.get("level"));
        if (state == State.AWAIT_START && (code.equals("NetStream.Play.Start") || code.equals("NetStream.Publish.Start"))) {
            state = State.STARTED;
            listener.onStarted(streamId);
        } else if (error || code.equals("NetStream.Play.UnpublishNotify") || code.equals("NetStream.Play.Stop")
                || code.equals("NetStream.Play.Complete") || code.equals("NetStream.Unpublish.Success")) {
            end(code, description(info));
        }
    }

    private void end(String code, String description) {
        if (state != State.ENDED) {
            state = State.ENDED;
            listener.onEnded(code, description);
        }
    }

    private static String code(Object info, String otherwise) {
        return info instanceof Map<?, ?> map && map.get("code") instanceof String s ? s : otherwise;
    }

    private static String description(Object info) {
        return info instanceof Map<?, ?> map && map.get("description") instanceof String s ? s : "";
    }

    /** Asks the server to end the publish or play, before the connection closes (best effort, as encoders do). */
    public void stop() {
        if (state == State.STARTED && mode == Mode.PUBLISH) {
            sendCommand(0, "FCUnpublish", 0, null, url.stream());
        }
        if (streamId > 0 && state != State.ENDED) {
            sendCommand(0, "deleteStream", 0, null, (double) streamId);
        }
        state = State.ENDED;
    }

    private void acknowledge() {
        long received = decoder.bytesReceived();
        if (received - lastAcked >= peerAckWindow) {
            lastAcked = received;
            sendControl(MessageType.ACKNOWLEDGEMENT, new Acknowledgement(received & 0xFFFFFFFFL).encode());
        }
    }

    private void sendControl(int type, byte[] payload) {
        send(RtmpSession.CSID_CONTROL, type, 0, payload);
    }

    private void sendCommand(int onStream, String name, double tx, Object commandObject, Object... args) {
        Amf0Writer w = new Amf0Writer().write(name).write(tx).write(commandObject);
        for (Object a : args) {
            w.write(a);
        }
        // play and publish go on the stream's own chunk stream, as ffmpeg sends them
        send(onStream == 0 ? RtmpSession.CSID_COMMAND : CSID_STREAM_COMMAND, MessageType.COMMAND_AMF0, onStream,
                w.toByteArray());
    }

    private void send(int csid, int type, int onStream, byte[] payload) {
        listener.send(encoder.encode(new RtmpMessage(csid, type, onStream, 0, payload)));
    }
}
