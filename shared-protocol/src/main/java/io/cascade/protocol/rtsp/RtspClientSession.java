package io.cascade.protocol.rtsp;

import io.cascade.protocol.rtp.frames.RtpToFrames;
import io.cascade.protocol.sdp.SdpException;
import io.cascade.protocol.sdp.SessionDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The client side of one RTSP connection that plays a stream from a camera or another server (a pull), or records one
 * into another server (a push), with no I/O: bytes come in through {@link #receive}, bytes to send and what happened
 * go out through the {@link Listener}.
 *
 * <p>The sequence is the one every player sends: OPTIONS, DESCRIBE (the SDP gives the tracks), one SETUP per usable
 * track (the first video and the first audio section that {@link RtpToFrames} can read), PLAY; then a keep-alive
 * every half of the session's timeout (GET_PARAMETER when the server lists it in OPTIONS' Public, OPTIONS otherwise),
 * and TEARDOWN on {@link #stop}. A 401 is answered once per request with the URL's credentials (Digest preferred,
 * Basic otherwise). Responses are read by the same {@link RtspDecoder} the server uses, with its limits on lines,
 * headers and bodies; a response must carry the CSeq of the one request waiting for it. One request is outstanding at
 * a time, so answers cannot be confused. Not thread-safe: one connection, one thread.
 *
 * <p>A push ({@link #record}) sends OPTIONS, ANNOUNCE with the stream's description, a SETUP per media section (TCP
 * interleaved, {@code mode=record}) and RECORD, then keeps the session alive the same way; its RTP is written by the
 * connection on the channels {@link Listener#onRecording} gives.
 */
public final class RtspClientSession {
    /** What the session needs from its connection. */
    public interface Listener {
        /** Bytes to write to the server, in order. */
        void send(byte[] bytes);

        /** PLAY was answered: the tracks set up, in SETUP order (over UDP the n-th used the n-th client port pair). */
        void onPlaying(List<PlayTrack> tracks);

        /** RTP or RTCP of a set-up track, interleaved in the TCP stream; valid only during the call. */
        void onPacket(int track, boolean rtcp, byte[] data, int offset, int length);

        /** RECORD was answered (a push): the interleaved RTP channel of each frame track, RTCP on the next. */
        default void onRecording(Map<Integer, Integer> channels) {
        }

        /**
         * The server refused something (DESCRIBE's 404, a 401 with wrong credentials, a description with nothing
         * usable): the connection is of no more use and should close. Called at most once.
         */
        void onEnded(String reason);
    }

    /**
     * One track set up.
     *
     * @param track      what reads its packets ({@link RtpToFrames.Track#track()} is its number)
     * @param rtpChannel over TCP, the interleaved channel of its RTP (RTCP on the next); over UDP, -1
     * @param control    the URL its SETUP named
     */
    public record PlayTrack(RtpToFrames.Track track, int rtpChannel, String control) {
    }

    /** The session timeout when the server's Session header gives none (RFC 2326 section 12.37). */
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;
    /** Bounds on a timeout a server announces: keep-alives come at least every second, at most every half hour. */
    public static final int MIN_TIMEOUT_SECONDS = 2;
    public static final int MAX_TIMEOUT_SECONDS = 3600;
    /**
     * Requests before PLAY is answered: OPTIONS, DESCRIBE, two SETUPs and PLAY, each possibly twice for a 401. A
     * server that keeps answering without ever playing is not followed further.
     */
    public static final int MAX_REQUESTS_BEFORE_PLAY = 12;
    /** Longest session id taken from a server; it is echoed in every request. */
    public static final int MAX_SESSION_ID = 256;
    /** Requests a server may send us (we answer 501) before it counts as a protocol violation. */
    public static final int MAX_SERVER_REQUESTS = 32;
    /** What the session tells servers it is. */
    public static final String USER_AGENT = "Cascade";

    private enum Step { OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PLAYING, ENDED }

    private final Listener listener;
    private final RtspClientUrl url;
    /** Over UDP, the RTP port of each client pair, in SETUP order; null over TCP. */
    private final int[] udpPorts;
    private final RtspDecoder decoder = new RtspDecoder();
    private Step step = Step.OPTIONS;
    private int cseq;
    private int requestsBeforePlay;
    private int serverRequests;
    /** The request waiting for its answer: method, URI, headers (resent once with credentials after a 401). */
    private String pendingMethod;
    private String pendingUri;
    private List<Map.Entry<String, String>> pendingHeaders;
    private byte[] pendingBody;
    /** A push's description and the frame track of each of its media sections (null for a pull). */
    private byte[] announce;
    private List<Integer> announceTracks;
    private final Map<Integer, Integer> recordChannels = new java.util.LinkedHashMap<>();
    private int pendingCseq = -1;
    private boolean pendingRetried;
    private RtspClientAuth auth;
    private boolean getParameter;
    private String sessionId;
    private int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    private String base;
    private final List<RtpToFrames.Track> toSetUp = new ArrayList<>();
    private final List<String> controls = new ArrayList<>();
    private final List<PlayTrack> setUp = new ArrayList<>();

    /**
     * @param udpPorts null for TCP interleaved; for UDP the even RTP port of each client pair the connection bound
     *                 (RTCP on the next), as many as tracks may be set up
     */
    public RtspClientSession(Listener listener, RtspClientUrl url, int[] udpPorts) {
        this.listener = listener;
        this.url = url;
        this.udpPorts = udpPorts == null ? null : udpPorts.clone();
    }

    /**
     * A push's session: announces {@code sdp}, whose media sections carry the controls {@code trackID=<track>} for
     * the frame tracks given in order, and records over TCP interleaved.
     */
    public static RtspClientSession record(Listener listener, RtspClientUrl url, byte[] sdp, List<Integer> tracks) {
        RtspClientSession s = new RtspClientSession(listener, url, null);
        s.announce = sdp.clone();
        s.announceTracks = List.copyOf(tracks);
        return s;
    }

    /** Sends the first request. */
    public void start() {
        request("OPTIONS", url.requestUri(), List.of());
    }

    public boolean tcp() {
        return udpPorts == null;
    }

    /** Whether PLAY was answered. */
    public boolean playing() {
        return step == Step.PLAYING;
    }

    /** How often to call {@link #keepAlive}: half the session's timeout. */
    public long keepAliveMillis() {
        return timeoutSeconds * 1000L / 2;
    }

    /** Sends a keep-alive, unless a request is still waiting for its answer (that one keeps the session alive). */
    public void keepAlive() {
        if (step == Step.PLAYING && pendingMethod == null) {
            request(getParameter ? "GET_PARAMETER" : "OPTIONS", url.requestUri(), sessionHeaders());
        }
    }

    /** Tells the server the session ends (TEARDOWN, not waited for); nothing is sent after it. */
    public void stop() {
        if (sessionId != null && step != Step.ENDED) {
            cseq++;
            listener.send(RtspMessageWriter.request("TEARDOWN", url.requestUri(), cseq, withAuth("TEARDOWN",
                    url.requestUri(), sessionHeaders()), null, null));
        }
        step = Step.ENDED;
    }

    /**
     * Bytes from the server.
     *
     * @throws RtspException for a message over the decoder's limits, a response that answers nothing, or one that
     *                       does not parse: the caller closes the connection
     */
    public void receive(byte[] bytes, int offset, int length) throws RtspException {
        decoder.feed(bytes, offset, length, handler);
    }

    private final RtspDecoder.Handler handler = new RtspDecoder.Handler() {
        @Override
        public void request(RtspRequest request) throws RtspException {
            // a server may ask things of its client (ANNOUNCE of a change, SET_PARAMETER); none is needed to play
            if (++serverRequests > MAX_SERVER_REQUESTS) {
                throw new RtspException(400, "the server sent more than " + MAX_SERVER_REQUESTS + " requests");
            }
            listener.send(RtspMessageWriter.response(501, request.cseq(), List.of(), null, null));
        }

        @Override
        public void response(RtspResponse response) throws RtspException {
            answered(response);
        }

        @Override
        public void interleaved(int channel, byte[] data, int offset, int length) {
            for (PlayTrack t : setUp) {
                if (channel == t.rtpChannel() || channel == t.rtpChannel() + 1) {
                    listener.onPacket(t.track().track(), channel != t.rtpChannel(), data, offset, length);
                    return;
                }
            }
            // a channel nobody set up (some servers send RTCP on a channel of their own): dropped
        }
    };

    private void answered(RtspResponse r) throws RtspException {
        if (pendingMethod == null) {
            throw new RtspException(400, "a response (CSeq " + r.cseq() + ") to no request");
        }
        if (r.cseq() != pendingCseq) {
            throw new RtspException(400, "a response with CSeq " + r.cseq() + " to request " + pendingCseq);
        }
        String method = pendingMethod;
        if (r.status() == 401 && !pendingRetried && url.hasCredentials() && step != Step.ENDED) {
            auth = RtspClientAuth.answer(r.headers().all("WWW-Authenticate"), url.user(), url.password());
            pendingRetried = true;
            send(method, pendingUri, pendingHeaders);
            return;
        }
        pendingMethod = null;
        if (step == Step.ENDED) {
            return;
        }
        if (r.status() == 401) {
            end(method + " answered 401 " + (url.hasCredentials() ? "to the URL's credentials"
                    : "and the URL has no credentials"));
            return;
        }
        switch (step) {
            case OPTIONS -> {
                // OPTIONS only tells whether GET_PARAMETER can keep the session alive; any answer goes on
                String allowed = r.status() / 100 == 2 ? r.header("Public") : null;
                getParameter = allowed != null && allowed.toUpperCase(Locale.ROOT).contains("GET_PARAMETER");
                if (announce != null) {
                    step = Step.ANNOUNCE;
                    pendingBody = announce;
                    request("ANNOUNCE", url.requestUri(), List.of(Map.entry("Content-Type", "application/sdp")));
                    return;
                }
                step = Step.DESCRIBE;
                request("DESCRIBE", url.requestUri(), List.of(Map.entry("Accept", "application/sdp")));
            }
            case DESCRIBE -> described(r);
            case ANNOUNCE -> {
                if (r.status() / 100 != 2) {
                    end("ANNOUNCE answered " + status(r));
                    return;
                }
                step = Step.SETUP;
                setupRecord(r);
            }
            case SETUP -> {
                if (announce != null) {
                    setupRecord(r);
                } else {
                    wasSetUp(r);
                }
            }
            case PLAY -> {
                if (r.status() / 100 != 2) {
                    end(method + " answered " + status(r));
                    return;
                }
                step = Step.PLAYING;
                if (announce != null) {
                    listener.onRecording(Map.copyOf(recordChannels));
                } else {
                    listener.onPlaying(List.copyOf(setUp));
                }
            }
            default -> {
                // a keep-alive's answer: a server without GET_PARAMETER is kept alive with OPTIONS from now on
                if (r.status() / 100 != 2 && method.equals("GET_PARAMETER")) {
                    getParameter = false;
                }
            }
        }
    }

    private void described(RtspResponse r) throws RtspException {
        if (r.status() / 100 != 2) {
            end("DESCRIBE answered " + status(r));
            return;
        }
        String type = r.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            end("DESCRIBE answered " + (type == null ? "no Content-Type" : type) + ", not application/sdp");
            return;
        }
        SessionDescription sdp;
        List<RtpToFrames.AnnouncedTrack> tracks;
        try {
            sdp = SessionDescription.parse(r.body());
            tracks = RtpToFrames.tracksFromSdp(sdp);
        } catch (SdpException e) {
            end("the description has nothing to pull: " + e.getMessage());
            return;
        }
        // RFC 2326 C.1.1: controls are relative to Content-Base, else Content-Location, else the request's URL
        base = firstOf(r.header("Content-Base"), r.header("Content-Location"), url.requestUri());
        String sessionControl = sdp.control();
        if (sessionControl != null && !sessionControl.equals("*") && sessionControl.regionMatches(true, 0, "rtsp://", 0, 7)) {
            base = sessionControl;
        }
        for (RtpToFrames.AnnouncedTrack t : tracks) {
            if (t.supported() && (udpPorts == null || toSetUp.size() < udpPorts.length)) {
                toSetUp.add(t.track());
                controls.add(resolve(sdp.media().get(t.mediaIndex()).control()));
            }
        }
        step = Step.SETUP;
        setupNext();
    }

    /**
     * A push's SETUPs, one per announced track, then RECORD; {@code r} answered the previous request (ANNOUNCE, or
     * the SETUP before).
     */
    private void setupRecord(RtspResponse r) throws RtspException {
        int i = recordChannels.size();
        if (pendingSetup) {
            if (r.status() / 100 != 2) {
                end("SETUP for recording answered " + status(r));
                return;
            }
            String session = r.header("Session");
            String header = r.header("Transport");
            if (session == null || header == null) {
                throw new RtspException(400, "SETUP answered without a Session or Transport header");
            }
            session(session);
            TransportSpec chosen = TransportSpec.parseAll(header).get(0);
            int channel = chosen.interleaved() != null ? chosen.interleaved()[0] : 2 * i;
            if (!chosen.tcp() || recordChannels.containsValue(channel)) {
                end("the server answered " + header + " to a SETUP over TCP");
                return;
            }
            recordChannels.put(announceTracks.get(i), channel);
            i++;
        }
        if (i < announceTracks.size()) {
            pendingSetup = true;
            List<Map.Entry<String, String>> headers = new ArrayList<>(sessionHeaders());
            headers.add(Map.entry("Transport", TransportSpec.TCP + ";unicast;interleaved=" + 2 * i + "-" + (2 * i + 1)
                    + ";mode=record"));
            // the track's address keeps the URL's query: a token there must reach every request
            String uri = url.requestUri();
            int q = uri.indexOf('?');
            String track = "/trackID=" + announceTracks.get(i);
            request("SETUP", q < 0 ? uri + track : uri.substring(0, q) + track + uri.substring(q), headers);
            return;
        }
        step = Step.PLAY;
        List<Map.Entry<String, String>> headers = new ArrayList<>(sessionHeaders());
        headers.add(Map.entry("Range", "npt=0.000-"));
        request("RECORD", url.requestUri(), headers);
    }

    private boolean pendingSetup;

    private void setupNext() {
        int i = setUp.size();
        String transport = udpPorts == null
                ? TransportSpec.TCP + ";unicast;interleaved=" + 2 * i + "-" + (2 * i + 1)
                : TransportSpec.UDP + ";unicast;client_port=" + udpPorts[i] + "-" + (udpPorts[i] + 1);
        List<Map.Entry<String, String>> headers = new ArrayList<>(sessionHeaders());
        headers.add(Map.entry("Transport", transport));
        request("SETUP", controls.get(i), headers);
    }

    private void wasSetUp(RtspResponse r) throws RtspException {
        int i = setUp.size();
        if (r.status() / 100 != 2) {
            end("SETUP of " + controls.get(i) + " answered " + status(r));
            return;
        }
        String session = r.header("Session");
        if (session == null) {
            throw new RtspException(400, "SETUP answered without a Session header");
        }
        session(session);
        String header = r.header("Transport");
        if (header == null) {
            throw new RtspException(400, "SETUP answered without a Transport header");
        }
        TransportSpec chosen = TransportSpec.parseAll(header).get(0);
        if (chosen.tcp() != tcp()) {
            end("the server answered " + chosen.protocol() + " to a SETUP over " + (tcp() ? "TCP" : "UDP"));
            return;
        }
        int channel = -1;
        if (tcp()) {
            channel = chosen.interleaved() != null ? chosen.interleaved()[0] : 2 * i;
            for (PlayTrack t : setUp) {
                if (Math.abs(t.rtpChannel() - channel) < 2) {
                    throw new RtspException(400, "the server gave two tracks interleaved channel " + channel);
                }
            }
        }
        setUp.add(new PlayTrack(toSetUp.get(i), channel, controls.get(i)));
        if (setUp.size() < toSetUp.size()) {
            setupNext();
            return;
        }
        step = Step.PLAY;
        List<Map.Entry<String, String>> headers = new ArrayList<>(sessionHeaders());
        headers.add(Map.entry("Range", "npt=0.000-"));
        request("PLAY", base, headers);
    }

    /** Takes the session id and timeout of a Session header ("id;timeout=n"). */
    private void session(String header) throws RtspException {
        String[] parts = header.split(";");
        String id = parts[0].strip();
        if (id.isEmpty() || id.length() > MAX_SESSION_ID) {
            throw new RtspException(400, "unusable session id");
        }
        if (sessionId != null && !sessionId.equals(id)) {
            throw new RtspException(400, "the server changed the session id");
        }
        sessionId = id;
        for (int p = 1; p < parts.length; p++) {
            String param = parts[p].strip();
            if (param.regionMatches(true, 0, "timeout=", 0, 8)) {
                long seconds = Syntax.digits(param.substring(8).strip(), 5);
                if (seconds > 0) {
                    timeoutSeconds = (int) Math.max(MIN_TIMEOUT_SECONDS, Math.min(MAX_TIMEOUT_SECONDS, seconds));
                }
            }
        }
    }

    /** A track's control resolved against the base: absolute as is, "*" the base, relative after it. */
    private String resolve(String control) {
        if (control == null || control.isEmpty() || control.equals("*")) {
            return base;
        }
        if (control.regionMatches(true, 0, "rtsp://", 0, 7)) {
            return control;
        }
        return base.endsWith("/") ? base + control : base + "/" + control;
    }

    private List<Map.Entry<String, String>> sessionHeaders() {
        return sessionId == null ? List.of() : List.of(Map.entry("Session", sessionId));
    }

    private void request(String method, String uri, List<Map.Entry<String, String>> headers) {
        if (step != Step.PLAYING && ++requestsBeforePlay > MAX_REQUESTS_BEFORE_PLAY) {
            end("more than " + MAX_REQUESTS_BEFORE_PLAY + " requests without PLAY being answered");
            return;
        }
        pendingRetried = false;
        if (!method.equals("ANNOUNCE")) {
            pendingBody = null;
        }
        send(method, uri, headers);
    }

    private void send(String method, String uri, List<Map.Entry<String, String>> headers) {
        cseq++;
        pendingMethod = method;
        pendingUri = uri;
        pendingHeaders = headers;
        pendingCseq = cseq;
        List<Map.Entry<String, String>> all = withAuth(method, uri, headers);
        String type = null;
        if (pendingBody != null) {
            // the writer puts Content-Type with the body it writes
            type = "application/sdp";
            all.removeIf(h -> h.getKey().equals("Content-Type"));
        }
        listener.send(RtspMessageWriter.request(method, uri, cseq, all, type, pendingBody));
    }

    private List<Map.Entry<String, String>> withAuth(String method, String uri,
                                                     List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers.size() + 2);
        all.add(Map.entry("User-Agent", USER_AGENT));
        all.addAll(headers);
        if (auth != null) {
            all.add(Map.entry("Authorization", auth.authorization(method, uri)));
        }
        return all;
    }

    private void end(String reason) {
        if (step != Step.ENDED) {
            step = Step.ENDED;
            listener.onEnded(reason);
        }
    }

    private static String status(RtspResponse r) {
        return r.status() + (r.reason().isEmpty() ? "" : " " + r.reason());
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return "";
    }
}
