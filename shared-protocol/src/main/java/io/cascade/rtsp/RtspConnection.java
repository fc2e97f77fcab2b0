package io.cascade.rtsp;

import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.auth.Passwords;
import io.cascade.files.VodFolders;
import io.cascade.media.MediaFrame;
import io.cascade.net.Received;
import io.cascade.net.SocketOutput;
import io.cascade.protocol.rtp.frames.RtpToFrames;
import io.cascade.protocol.rtsp.RtspDecoder;
import io.cascade.protocol.rtsp.RtspException;
import io.cascade.protocol.rtsp.RtspMessageWriter;
import io.cascade.protocol.rtsp.RtspRequest;
import io.cascade.protocol.rtsp.RtspResponse;
import io.cascade.protocol.rtsp.RtspUrl;
import io.cascade.protocol.rtsp.NptRange;
import io.cascade.protocol.rtsp.TransportSpec;
import io.cascade.protocol.sdp.MediaDescription;
import io.cascade.protocol.sdp.RtpMap;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SdpFormats;
import io.cascade.protocol.sdp.SessionDescription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One RTSP client socket and its session: a publisher (ANNOUNCE, SETUP, RECORD) or a player (DESCRIBE, SETUP, PLAY),
 * over TCP interleaved or UDP. Requests are answered in order; one whose answer needs the cluster (ANNOUNCE's
 * admission, DESCRIBE's wait for the stream) holds the ones behind it, with the socket paused. A malformed request is
 * answered with its status and the connection closed; nothing else notices. All methods run on {@link #context()}.
 *
 * <p>One session per connection, as every common client uses it; a request naming another session gets 454.
 */
public final class RtspConnection {
    private static final Logger log = LoggerFactory.getLogger(RtspConnection.class);
    /** Requests read ahead of the one being answered; a client that pipelines more is not waiting for answers. */
    static final int MAX_PENDING_REQUESTS = 16;
    /** Interleaved frames on channels nobody set up before the connection is closed (a few are tolerated). */
    static final int MAX_STRAY_FRAMES = 100;
    /** Tracks one session may set up: one video and one audio, or the TS track. */
    static final int MAX_TRACKS = 2;
    private static final String ALLOWED = "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, "
            + "GET_PARAMETER, SET_PARAMETER";
    /** The control name of the TS track in {@code /ts/<stream>}'s description. */
    static final String TS_CONTROL = "trackID=0";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NetSocket socket;
    /** Interleaved media and responses, in one order. */
    private final SocketOutput output;
    private final Context context;
    private final RtspServer server;
    private final RtspServer.Settings settings;
    private final String peer;
    /** The client's address: where UDP goes to and comes from (never looked up by name). */
    private final InetAddress peerAddress;
    private final RtspDecoder decoder = new RtspDecoder();
    private final ArrayDeque<RtspRequest> pending = new ArrayDeque<>();
    private final long openedAtNanos = System.nanoTime();
    private long lastActivityNanos = openedAtNanos;
    private boolean anyRequest;
    private boolean busy;
    private boolean closed;
    private long bytesIn;
    private long bytesOut;
    private int strayFrames;
    private String sessionId;
    /** Whether the session's transport is TCP (null until the first SETUP): one session does not mix them. */
    private Boolean tcp;

    // a publisher's session
    private RtspPublishTarget target;
    private SessionDescription announcedSdp;
    private List<RtpToFrames.AnnouncedTrack> announced;
    private final List<RtpToFrames.Track> recordTracks = new ArrayList<>();
    /** RTP channel of each track set up for recording (RTCP on the next), by track number. */
    private final Map<Integer, Integer> recordChannels = new HashMap<>();
    private final List<UdpPortPool.Pair> recordPairs = new ArrayList<>();
    private RtpToFrames toFrames;
    private long inputErrorsReported;

    // a player's session
    private String playName;
    private Credentials playCredentials;
    private boolean playTs;
    private List<MediaFrame> described;
    /** RTP channel of each track set up for playing, by frame track number (0 for the TS track). */
    private final Map<Integer, Integer> playChannels = new LinkedHashMap<>();
    /** Over UDP: where each channel's packets go. */
    private final Map<Integer, InetSocketAddress> udpDestinations = new HashMap<>();
    private boolean unflushedUdp;
    private AutoCloseable viewer;
    /** A file played on demand (opened at DESCRIBE), or null for a live stream. */
    private RtspVodSession vod;
    /** The Content-Base of the description: what RTP-Info's URLs start with. */
    private String playBase;

    RtspConnection(NetSocket socket, Context context, RtspServer server) {
        this.socket = socket;
        ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
        this.context = context;
        this.server = server;
        this.settings = server.settings();
        this.output = new SocketOutput(channel, settings.writeQueueBytes());
        this.peer = String.valueOf(socket.remoteAddress());
        this.peerAddress = ((InetSocketAddress) channel.channel().remoteAddress()).getAddress();
        socket.handler(this::onData);
        socket.closeHandler(v -> onSocketClosed());
        socket.exceptionHandler(e -> log.debug("{}: socket error: {}", peer, e.toString()));
    }

    public Context context() {
        return context;
    }

    public String peer() {
        return peer;
    }

    // ---- what the edge role's viewer uses ----

    /**
     * Queues interleaved records ({@code $}, channel, length, packet) built once for many viewers, without flushing.
     * Over TCP they go out as they are, through a view of the shared buffer; over UDP each packet goes to the
     * client's port for its channel.
     */
    public void queueMedia(ByteBuf shared) {
        if (closed) {
            return;
        }
        int n = shared.readableBytes();
        bytesOut += n;
        server.countOut(n);
        if (Boolean.FALSE.equals(tcp)) {
            sendUdp(shared);
            return;
        }
        output.queue(shared);
    }

    /** Sends what {@link #queueMedia} queued. */
    public void flush() {
        output.flush();
        if (unflushedUdp) {
            unflushedUdp = false;
            server.playPair().flush();
        }
    }

    /**
     * True when more than the configured bytes wait in this socket's outbound queue, or for a UDP player, in the
     * shared UDP socket's: either way the viewer skips frames rather than queue more.
     */
    public boolean writeQueueFull() {
        return Boolean.FALSE.equals(tcp) ? !server.playPair().writable() : output.full();
    }

    /** Closes at once, dropping whatever is still queued: for a viewer that stopped reading. */
    public void abort() {
        if (!closed) {
            output.abort();
        }
    }

    /** Flushes what was written, then closes. */
    public void close() {
        if (!closed) {
            output.flush();
            socket.end();
        }
    }

    /** Each packet of the records to the client's port for its channel, through views of the shared bytes. */
    private void sendUdp(ByteBuf records) {
        UdpPortPool.Pair pair = server.playPair();
        int i = records.readerIndex();
        int end = records.writerIndex();
        while (i + 4 <= end) {
            int ch = records.getUnsignedByte(i + 1);
            int len = records.getUnsignedShort(i + 2);
            InetSocketAddress to = udpDestinations.get(ch);
            if (to != null && i + 4 + len <= end) {
                pair.write(records.slice(i + 4, len), to);
                unflushedUdp = true;
            }
            i += 4 + len;
        }
    }

    // ---- reading ----

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        lastActivityNanos = System.nanoTime();
        int n = data.length();
        bytesIn += n;
        server.countIn(n);
        try {
            Received.read(data, (bytes, offset, length) -> decoder.feed(bytes, offset, length, decoded));
        } catch (RtspException e) {
            log.warn("{}: closing, bad request: {} ({})", peer, e.getMessage(), e.status());
            server.countViolation();
            send(RtspMessageWriter.response(e.status(), e.cseq(), serverHeaders(), null, null));
            socket.end();
            closed = true;
            release();
        } catch (RuntimeException e) {
            // a bug must cost this connection only, never the event loop
            log.error("{}: closing after an internal error", peer, e);
            socket.close();
        }
    }

    private final RtspDecoder.Handler decoded = new RtspDecoder.Handler() {
        @Override
        public void request(RtspRequest request) throws RtspException {
            anyRequest = true;
            if (pending.size() >= MAX_PENDING_REQUESTS) {
                throw new RtspException(503, request.cseq(), "more than " + MAX_PENDING_REQUESTS
                        + " requests sent ahead of their answers");
            }
            pending.add(request);
            if (!busy) {
                answerPending();
            }
        }

        @Override
        public void response(RtspResponse response) {
            // a server sends no requests here, so a response answers nothing: ignored
        }

        @Override
        public void interleaved(int ch, byte[] data, int offset, int length) {
            onInterleaved(ch, data, offset, length);
        }
    };

    private void onInterleaved(int ch, byte[] data, int offset, int length) {
        Integer track = trackOfChannel(recordChannels, ch);
        if (track != null) {
            if (toFrames != null) {
                if (ch % 2 == 0) {
                    toFrames.rtp(track, data, offset, length);
                } else {
                    toFrames.rtcp(track, data, offset, length);
                }
                reportInputErrors();
            }
            return;
        }
        if (trackOfChannel(playChannels, ch) != null) {
            return; // a player's receiver reports: nothing here needs them
        }
        server.countViolation();
        if (++strayFrames > MAX_STRAY_FRAMES) {
            log.warn("{}: closing, interleaved data on channels that were never set up", peer);
            socket.close();
        }
    }

    /** The track whose RTP or RTCP goes on {@code ch}, or null. */
    private static Integer trackOfChannel(Map<Integer, Integer> channels, int ch) {
        for (Map.Entry<Integer, Integer> e : channels.entrySet()) {
            if (e.getValue() == ch || e.getValue() + 1 == ch) {
                return e.getKey();
            }
        }
        return null;
    }

    private void answerPending() {
        while (!busy && !closed && !pending.isEmpty()) {
            RtspRequest r = pending.poll();
            try {
                answer(r);
            } catch (RtspException e) {
                respond(r, e.status(), List.of(), null, null);
                if (e.status() == 400) {
                    server.countViolation();
                }
            }
        }
    }

    /** Answers the request now, or sets {@link #busy} until its asynchronous answer is sent. */
    private void answer(RtspRequest r) throws RtspException {
        String sessionHeader = r.header("Session");
        if (sessionHeader != null && sessionId != null && !sessionId.equals(sessionHeader.split(";", 2)[0].trim())) {
            throw new RtspException(454, r.cseq(), "unknown session");
        }
        switch (r.method()) {
            case "OPTIONS" -> respond(r, 200, List.of(Map.entry("Public", ALLOWED)), null, null);
            case "GET_PARAMETER", "SET_PARAMETER" -> respond(r, 200, sessionHeaders(), null, null);
            case "DESCRIBE" -> describe(r);
            case "ANNOUNCE" -> announce(r);
            case "SETUP" -> setup(r);
            case "RECORD" -> record(r);
            case "PLAY" -> play(r);
            case "PAUSE" -> pause(r);
            case "TEARDOWN" -> teardown(r);
            default -> respond(r, 501, List.of(Map.entry("Public", ALLOWED)), null, null);
        }
    }

    // ---- publishing ----

    private void announce(RtspRequest r) throws RtspException {
        if (target != null || described != null) {
            throw new RtspException(455, r.cseq(), "session already set up");
        }
        Target t = target(r);
        if (t.ts || t.vodApp != null) {
            throw new RtspException(405, r.cseq(), t.ts ? "/ts/ is for players" : "a VOD folder takes no publishers");
        }
        String type = r.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            throw new RtspException(415, r.cseq(), "ANNOUNCE needs an application/sdp body");
        }
        SessionDescription sdp;
        List<RtpToFrames.AnnouncedTrack> tracks;
        try {
            sdp = SessionDescription.parse(r.body());
            tracks = RtpToFrames.tracksFromSdp(sdp);
        } catch (SdpException e) {
            log.info("{}: ANNOUNCE refused: {}", peer, e.getMessage());
            throw new RtspException(415, r.cseq(), e.getMessage());
        }
        for (RtpToFrames.AnnouncedTrack a : tracks) {
            if (!a.supported()) {
                log.info("{}: ANNOUNCE of {}: ignored {}", peer, t.name, a.unsupported());
            }
        }
        busy(settings.publishHandler().announce(t.name, credentials(r, t, Action.PUBLISH), peer), r, published -> {
            target = published;
            announcedSdp = sdp;
            announced = tracks;
            respond(r, 200, List.of(), null, null);
        });
    }

    private void setupRecord(RtspRequest r, TransportSpec transport) throws RtspException {
        RtpToFrames.AnnouncedTrack track = announcedTrack(r);
        if (recordChannels.containsKey(track.track().track())) {
            throw new RtspException(455, r.cseq(), "track set up twice");
        }
        if (transport.tcp()) {
            int[] il = transport.interleaved() != null ? transport.interleaved()
                    : new int[]{2 * recordChannels.size(), 2 * recordChannels.size() + 1};
            checkChannels(r, il[0]);
            recordChannels.put(track.track().track(), il[0]);
            recordTracks.add(track.track());
            respond(r, 200, withSession(Map.entry("Transport", "RTP/AVP/TCP;unicast;interleaved=" + il[0] + "-"
                    + (il[0] + 1) + ";mode=record")), null, null);
            return;
        }
        if (transport.clientPort() == null) {
            throw new RtspException(461, r.cseq(), "UDP transport without client_port");
        }
        int[] clientPort = transport.clientPort();
        busy(settings.udpPorts().open(context), r, pair -> {
            if (closed) {
                pair.close();
                return;
            }
            int ch = 2 * recordChannels.size();
            recordPairs.add(pair);
            recordChannels.put(track.track().track(), ch);
            recordTracks.add(track.track());
            int number = track.track().track();
            pair.receive((rtcp, data, sender) -> onUdp(number, !rtcp, data, sender));
            respond(r, 200, withSession(Map.entry("Transport", "RTP/AVP;unicast;client_port=" + clientPort[0] + "-"
                    + clientPort[1] + ";server_port=" + pair.rtpPort() + "-" + pair.rtcpPort() + ";mode=record")),
                    null, null);
        });
    }

    private void onUdp(int track, boolean rtp, ByteBuf data, InetSocketAddress sender) {
        if (closed || toFrames == null || !peerAddress.equals(sender.getAddress())) {
            return; // before RECORD, or not from the publisher: a stray or spoofed datagram
        }
        lastActivityNanos = System.nanoTime();
        int n = data.readableBytes();
        bytesIn += n;
        server.countIn(n);
        byte[] bytes = new byte[n];
        data.getBytes(data.readerIndex(), bytes);
        if (rtp) {
            toFrames.rtp(track, bytes, 0, n);
        } else {
            toFrames.rtcp(track, bytes, 0, n);
        }
        reportInputErrors();
    }

    /** The announced track a SETUP URL names by its media section's control (absolute, or relative to the base). */
    private RtpToFrames.AnnouncedTrack announcedTrack(RtspRequest r) throws RtspException {
        String control = RtspUrl.parse(r.uri()).last();
        List<RtpToFrames.AnnouncedTrack> usable = announced.stream().filter(RtpToFrames.AnnouncedTrack::supported)
                .toList();
        for (RtpToFrames.AnnouncedTrack t : announced) {
            String c = announcedSdp.media().get(t.mediaIndex()).control();
            if (c != null && (c.equals(r.uri()) || c.equals(control) || r.uri().endsWith("/" + c))) {
                if (!t.supported()) {
                    throw new RtspException(461, r.cseq(), "track " + c + " is not carried: " + t.unsupported());
                }
                return t;
            }
        }
        if (usable.size() == 1) {
            return usable.get(0); // a single-track publisher may SETUP the session URL itself
        }
        throw new RtspException(404, r.cseq(), "no announced track is " + control);
    }

    private void record(RtspRequest r) throws RtspException {
        if (target == null || recordTracks.isEmpty()) {
            throw new RtspException(455, r.cseq(), "RECORD before ANNOUNCE and SETUP");
        }
        requireSession(r);
        if (toFrames == null) {
            toFrames = new RtpToFrames(recordTracks, !tcp, settings.rtcpWaitMs(), new RtpToFrames.Sink() {
                @Override
                public void frame(MediaFrame frame) {
                    target.frame(frame);
                }

                @Override
                public void skipped(RtpToFrames.Skip why, String detail) {
                    target.skipped(why == RtpToFrames.Skip.DAMAGED, detail);
                }
            });
            StringBuilder codecs = new StringBuilder();
            for (RtpToFrames.Track t : recordTracks) {
                codecs.append(codecs.isEmpty() ? "" : " + ").append(t.codec());
            }
            target.start("RECORD over " + (tcp ? "TCP" : "UDP") + ", " + codecs,
                    () -> context.runOnContext(v -> close()));
        }
        respond(r, 200, sessionHeaders(), null, null);
    }

    private void reportInputErrors() {
        long errors = toFrames.inputErrors();
        if (errors != inputErrorsReported) {
            server.countInputErrors(errors - inputErrorsReported);
            inputErrorsReported = errors;
        }
    }

    // ---- playing ----

    private void describe(RtspRequest r) throws RtspException {
        if (target != null || viewer != null || vod != null) {
            throw new RtspException(455, r.cseq(), "session already set up");
        }
        Target t = target(r);
        Credentials credentials = credentials(r, t, Action.PLAY);
        if (t.vodApp != null) {
            describeFile(r, t, credentials);
            return;
        }
        busy(settings.playHandler().describe(t.name, credentials, peer, context), r, configs -> {
            byte[] sdp;
            try {
                sdp = description(t, configs).write().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (SdpException e) {
                log.info("{}: DESCRIBE of {}: nothing RTP can carry: {}", peer, t.name, e.getMessage());
                respond(r, 415, List.of(), null, null);
                return;
            }
            playName = t.name;
            playCredentials = credentials;
            playTs = t.ts;
            described = configs;
            respond(r, 200, List.of(Map.entry("Content-Base", contentBase(r))), "application/sdp", sdp);
        });
    }

    /** Without the query: clients put each track's control after the base, and a token is no path. */
    private String contentBase(RtspRequest r) {
        String uri = r.uri().indexOf('?') < 0 ? r.uri() : r.uri().substring(0, r.uri().indexOf('?'));
        playBase = uri.endsWith("/") ? uri : uri + "/";
        return playBase;
    }

    /** DESCRIBE of a file: as a live stream's, with the file's length as the description's range. */
    private void describeFile(RtspRequest r, Target t, Credentials credentials) {
        busy(settings.playHandler().vod().describe(t.vodApp, t.name, credentials, peer, context), r, session -> {
            byte[] sdp;
            try {
                sdp = description(t, session.configs()).withRange(NptRange.format(0, session.durationMillis()))
                        .write().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (SdpException e) {
                log.info("{}: DESCRIBE of {}/{}: nothing RTP can carry: {}", peer, t.vodApp, t.name, e.getMessage());
                session.close();
                respond(r, 415, List.of(), null, null);
                return;
            }
            vod = session;
            playName = t.name;
            playCredentials = credentials;
            playTs = t.ts;
            described = session.configs();
            respond(r, 200, List.of(Map.entry("Content-Base", contentBase(r))), "application/sdp", sdp);
        });
    }

    private SessionDescription description(Target t, List<MediaFrame> configs) throws SdpException {
        String origin = socket.localAddress().hostAddress();
        if (!t.ts) {
            return SdpFormats.describeStream(t.name, origin, configs);
        }
        MediaDescription ts = MediaDescription.rtp("video", SdpFormats.MP2T_PAYLOAD_TYPE,
                new RtpMap(SdpFormats.MP2T_PAYLOAD_TYPE, "MP2T", SdpFormats.VIDEO_CLOCK_RATE, 0), Map.of(), TS_CONTROL);
        return SessionDescription.live(t.name, origin, List.of(ts));
    }

    private void setupPlay(RtspRequest r, TransportSpec transport) throws RtspException {
        int track = describedTrack(r);
        if (playChannels.containsKey(track)) {
            throw new RtspException(455, r.cseq(), "track set up twice");
        }
        if (playChannels.size() >= MAX_TRACKS) {
            throw new RtspException(455, r.cseq(), "too many tracks");
        }
        if (transport.tcp()) {
            int[] il = transport.interleaved() != null ? transport.interleaved()
                    : new int[]{2 * playChannels.size(), 2 * playChannels.size() + 1};
            checkChannels(r, il[0]);
            playChannels.put(track, il[0]);
            respond(r, 200, withSession(Map.entry("Transport", "RTP/AVP/TCP;unicast;interleaved=" + il[0] + "-"
                    + (il[0] + 1))), null, null);
            return;
        }
        int[] clientPort = transport.clientPort();
        if (clientPort == null) {
            throw new RtspException(461, r.cseq(), "UDP transport without client_port");
        }
        int ch = 2 * playChannels.size(); // channels only name the client's ports here
        playChannels.put(track, ch);
        udpDestinations.put(ch, new InetSocketAddress(peerAddress, clientPort[0]));
        udpDestinations.put(ch + 1, new InetSocketAddress(peerAddress, clientPort[1]));
        UdpPortPool.Pair pair = server.playPair();
        respond(r, 200, withSession(Map.entry("Transport", "RTP/AVP;unicast;client_port=" + clientPort[0] + "-"
                + clientPort[1] + ";server_port=" + pair.rtpPort() + "-" + pair.rtcpPort())), null, null);
    }

    /** The frame track number a player's SETUP URL names among the described tracks (0 for the TS track). */
    private int describedTrack(RtspRequest r) throws RtspException {
        String control = RtspUrl.parse(r.uri()).last();
        if (playTs) {
            if (control.equals(TS_CONTROL) || control.equals(playName) || r.uri().endsWith("/" + TS_CONTROL)) {
                return 0;
            }
        } else {
            for (MediaFrame f : described) {
                // the control after the path, or after a query a client kept in its base URL
                if (f.isConfig() && (control.equals("trackID=" + f.track())
                        || r.uri().endsWith("/trackID=" + f.track()))) {
                    return f.track();
                }
            }
        }
        throw new RtspException(404, r.cseq(), "no described track is " + control);
    }

    private void play(RtspRequest r) throws RtspException {
        if (playChannels.isEmpty()) {
            throw new RtspException(455, r.cseq(), "PLAY before SETUP");
        }
        requireSession(r);
        if (vod != null) {
            playFile(r);
            return;
        }
        respond(r, 200, withSession(Map.entry("Range", "npt=0.000-")), null, null);
        if (viewer == null) {
            viewer = settings.playHandler().play(this,
                    new RtspPlayRequest(playName, playCredentials, playTs, playChannels));
        }
    }

    /**
     * PLAY of a file: from the Range's start (the keyframe at or before it), or on from where a PAUSE left it; the
     * answer says where it really starts and each track's first sequence number and RTP time there.
     */
    private void playFile(RtspRequest r) {
        NptRange range = NptRange.parse(r.header("Range"));
        long from = range == null || range.startMillis() < 0 ? -1 : range.startMillis();
        RtspVodSession.Started started = vod.play(this, new RtspPlayRequest(playName, playCredentials, playTs,
                playChannels), from);
        StringBuilder rtpInfo = new StringBuilder();
        started.tracks().forEach((track, at) -> {
            if (rtpInfo.length() > 0) {
                rtpInfo.append(',');
            }
            rtpInfo.append("url=").append(playBase).append(playTs ? TS_CONTROL : "trackID=" + track).append(";seq=")
                    .append(at.sequence()).append(";rtptime=").append(at.rtpTime());
        });
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(sessionHeader(),
                Map.entry("Range", NptRange.format(started.startMillis(), vod.durationMillis()))));
        if (rtpInfo.length() > 0) {
            headers.add(Map.entry("RTP-Info", rtpInfo.toString()));
        }
        respond(r, 200, headers, null, null);
    }

    private void pause(RtspRequest r) throws RtspException {
        if (playChannels.isEmpty() && recordChannels.isEmpty()) {
            throw new RtspException(455, r.cseq(), "PAUSE before SETUP");
        }
        requireSession(r);
        if (vod != null) {
            vod.pause(); // the position stays for the PLAY that resumes
        }
        stopViewer(); // a publisher's PAUSE (GStreamer sends one at the end) changes nothing: it tears down next
        respond(r, 200, sessionHeaders(), null, null);
    }

    private void teardown(RtspRequest r) {
        respond(r, 200, List.of(), null, null);
        socket.end(); // one session per connection: the client is done with both
    }

    // ---- shared by both ----

    private void setup(RtspRequest r) throws RtspException {
        String header = r.header("Transport");
        if (header == null) {
            throw new RtspException(461, r.cseq(), "SETUP without Transport");
        }
        TransportSpec chosen = null;
        for (TransportSpec t : TransportSpec.parseAll(header)) {
            if (!t.multicast() && (tcp == null || tcp == t.tcp()) && (t.tcp() || t.clientPort() != null)) {
                chosen = t;
                break;
            }
        }
        if (chosen == null) {
            throw new RtspException(461, r.cseq(), "no unicast transport offered: " + header);
        }
        boolean record = target != null;
        if (!record && described == null) {
            throw new RtspException(455, r.cseq(), "SETUP before ANNOUNCE or DESCRIBE");
        }
        if (sessionId == null) {
            byte[] id = new byte[8];
            RANDOM.nextBytes(id);
            sessionId = HexFormat.of().formatHex(id);
        }
        tcp = chosen.tcp();
        if (record) {
            setupRecord(r, chosen);
        } else {
            setupPlay(r, chosen);
        }
    }

    private void checkChannels(RtspRequest r, int rtpChannel) throws RtspException {
        if (rtpChannel < 0 || rtpChannel > 254 || trackOfChannel(recordChannels, rtpChannel) != null
                || trackOfChannel(recordChannels, rtpChannel + 1) != null
                || trackOfChannel(playChannels, rtpChannel) != null
                || trackOfChannel(playChannels, rtpChannel + 1) != null) {
            throw new RtspException(461, r.cseq(), "interleaved channels " + rtpChannel + "-" + (rtpChannel + 1)
                    + " unusable");
        }
    }

    private void requireSession(RtspRequest r) throws RtspException {
        if (sessionId == null || r.header("Session") == null) {
            throw new RtspException(454, r.cseq(), "no session");
        }
    }

    /**
     * What the request's URL names: a stream, or a file's path in the VOD application {@code vodApp} (null for a
     * stream), and whether it asks for MPEG-TS over RTP.
     */
    private record Target(String name, String query, boolean ts, String vodApp) {
    }

    /** The application {@code /vodts/<path>} plays files of as MPEG-TS over RTP: {@code vod.folder}'s. */
    static final String VOD_TS_PREFIX = "vodts";

    private Target target(RtspRequest r) throws RtspException {
        RtspUrl url = RtspUrl.parse(r.uri());
        List<String> path = url.path();
        if (path.isEmpty()) {
            throw new RtspException(404, r.cseq(), "no stream named");
        }
        RtspVodHandler files = settings.playHandler().vod();
        // a VOD application's first segment is explicit (live names have no '/'), so /<app>/<path> is a file; as MPEG-TS
        // /ts/<app>/<path>, as live's /ts/<stream>, and /vodts/<path> for the application vod
        if (path.size() >= 2 && files.serves(path.get(0))) {
            return new Target(String.join("/", path.subList(1, path.size())), url.query(), false, path.get(0));
        }
        if (path.size() >= 3 && path.get(0).equals("ts") && files.serves(path.get(1))) {
            return new Target(String.join("/", path.subList(2, path.size())), url.query(), true, path.get(1));
        }
        if (path.size() >= 2 && path.get(0).equals(VOD_TS_PREFIX) && files.serves(VodFolders.DEFAULT_APP)) {
            return new Target(String.join("/", path.subList(1, path.size())), url.query(), true, VodFolders.DEFAULT_APP);
        }
        boolean ts = path.size() >= 2 && path.get(path.size() - 2).equals("ts");
        return new Target(path.get(path.size() - 1), url.query(), ts, null);
    }

    /** Holds the requests behind {@code r} until {@code answer} completes; a refusal is answered with its status. */
    private <T> void busy(Future<T> answer, RtspRequest r, java.util.function.Consumer<T> onSuccess) {
        busy = true;
        socket.pause();
        answer.onComplete(result -> context.runOnContext(v -> {
            busy = false;
            if (closed) {
                if (result.succeeded() && result.result() instanceof RtspPublishTarget t) {
                    t.close(bytesIn);
                } else if (result.succeeded() && result.result() instanceof RtspVodSession opened) {
                    opened.close(); // the file opened for a client that left meanwhile
                }
                return;
            }
            socket.resume();
            if (result.succeeded()) {
                onSuccess.accept(result.result());
            } else if (result.cause() instanceof RtspRefusal refusal) {
                if (refusal.status() == 401) {
                    // authorisation logged a refusal (rate-limited) and a password challenge is routine
                    log.debug("{}: {} answered 401: {}", peer, r.method(), refusal.getMessage());
                } else {
                    log.info("{}: {} refused: {}", peer, r.method(), refusal.getMessage());
                }
                respond(r, refusal.status(), refusal.status() == 401 ? challenges(r)
                        : refusal.elsewhere() != null
                        ? List.of(Map.entry("Location", movedTo(r, refusal.elsewhere(), refusal.mark())))
                        : List.of(), null, null);
            } else {
                log.warn("{}: {} failed: {}", peer, r.method(), String.valueOf(result.cause()));
                respond(r, 503, List.of(), null, null);
            }
            answerPending();
        }));
    }

    /**
     * What a request presents: the query after the name, and the user its {@code Authorization} header proves when
     * {@code action} asks for a password.
     */
    private Credentials credentials(RtspRequest r, Target t, Action action) {
        Authorisation auth = settings.authorisation();
        if (auth.mode(action) != Authorisation.Mode.PASSWORD) {
            return Credentials.query(t.query);
        }
        String offered = r.header("Authorization");
        String user = auth.passwords().user(r.method(), offered, System.currentTimeMillis() / 1000);
        return new Credentials(t.query, user, offered != null);
    }

    /**
     * {@code r}'s URL with its scheme, host and port replaced by {@code base}'s: the same path and query there, with
     * {@code mark} added to the query when not null.
     */
    private static String movedTo(RtspRequest r, String base, String mark) {
        String uri = r.uri();
        int path = uri.indexOf('/', uri.indexOf("://") < 0 ? 0 : uri.indexOf("://") + 3);
        String moved = base + (path < 0 ? "/" : uri.substring(path));
        return mark == null ? moved : moved + (moved.contains("?") ? "&" : "?") + mark;
    }

    /** The challenges of a 401 to {@code r}: Digest first (clients take the strongest they know), then Basic. */
    private List<Map.Entry<String, String>> challenges(RtspRequest r) {
        Action action = r.method().equals("ANNOUNCE") ? Action.PUBLISH : Action.PLAY;
        Authorisation auth = settings.authorisation();
        if (auth.mode(action) != Authorisation.Mode.PASSWORD) {
            return List.of();
        }
        String digest = auth.passwords().digestChallenge(System.currentTimeMillis() / 1000);
        return List.of(Map.entry("WWW-Authenticate", digest), Map.entry("WWW-Authenticate", Passwords.basicChallenge()));
    }

    private List<Map.Entry<String, String>> sessionHeaders() {
        return sessionId == null ? List.of() : List.of(sessionHeader());
    }

    private Map.Entry<String, String> sessionHeader() {
        return Map.entry("Session", sessionId + ";timeout=" + TimeUnit.MILLISECONDS.toSeconds(settings.sessionTimeoutMs()));
    }

    private List<Map.Entry<String, String>> withSession(Map.Entry<String, String> header) {
        return List.of(sessionHeader(), header);
    }

    private static List<Map.Entry<String, String>> serverHeaders() {
        return List.of(Map.entry("Server", "Cascade"));
    }

    private void respond(RtspRequest r, int status, List<Map.Entry<String, String>> headers, String contentType,
                         byte[] body) {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers.size() + 1);
        all.addAll(serverHeaders());
        all.addAll(headers);
        send(RtspMessageWriter.response(status, r.cseq(), all, contentType, body));
    }

    private void send(byte[] bytes) {
        if (closed) {
            return;
        }
        bytesOut += bytes.length;
        server.countOut(bytes.length);
        output.send(bytes); // after any queued media
    }

    // ---- ending ----

    private void stopViewer() {
        if (viewer != null) {
            AutoCloseable v = viewer;
            viewer = null;
            try {
                v.close();
            } catch (Exception e) {
                log.warn("{}: closing the viewer failed", peer, e);
            }
        }
    }

    private void release() {
        stopViewer();
        if (vod != null) {
            vod.close();
            vod = null;
        }
        if (toFrames != null) {
            toFrames.flush();
        }
        if (target != null) {
            target.close(bytesIn);
        }
        recordPairs.forEach(UdpPortPool.Pair::close);
        recordPairs.clear();
    }

    private void onSocketClosed() {
        boolean wasClosed = closed;
        closed = true;
        server.forget(this);
        if (!wasClosed) {
            release();
        }
        log.debug("{}: closed ({} bytes in, {} out)", peer, bytesIn, bytesOut);
    }

    /** Deadline checks, called periodically by the server on this connection's event loop. */
    void checkTimeouts(long now) {
        if (closed) {
            return;
        }
        long idle = now - lastActivityNanos;
        if (!anyRequest && now - openedAtNanos > TimeUnit.MILLISECONDS.toNanos(RtspServer.FIRST_REQUEST_DEADLINE_MS)) {
            log.info("{}: closing, no request in time", peer);
            socket.close();
        } else if (toFrames != null && idle > TimeUnit.MILLISECONDS.toNanos(RtspServer.PUBLISHER_SILENCE_MS)) {
            log.info("{}: closing, publisher of {} sent nothing for {} s", peer, target.name(),
                    TimeUnit.NANOSECONDS.toSeconds(idle));
            socket.close();
        } else if (!busy && idle > TimeUnit.MILLISECONDS.toNanos(settings.sessionTimeoutMs())) {
            log.info("{}: closing, session timed out", peer);
            socket.close();
        }
    }
}
