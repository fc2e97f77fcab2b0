package io.cascade.edge.fanout;

import io.cascade.auth.AccessRequest;
import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.auth.Passwords;
import io.cascade.auth.Verdict;
import io.cascade.cluster.IngestPointStore;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where every viewer protocol's play request goes: attaches the viewer to the stream's hub on this node and its
 * {@link ViewerFanout}. A name that is not live yet is waited for, up to the play wait, then answered not found.
 *
 * <p>Every play is authorised first ({@link Authorisation}, {@code auth.play}): a protocol hands over the
 * {@link Credentials} its client presented (the query after the name, the user its password scheme proved), and a
 * refusal reaches the client through {@link ViewerOutput#unauthorised} (or, for a
 * protocol that must answer before it does any work, as the failed {@link #authorise} future, whose {@link Grant} is
 * what {@link #play(Grant, String, Supplier, ViewerOutput)} then takes).
 *
 * <p>With ingest points required, a play of an ingest point's private name is answered not found at once: no
 * hub, no per-stream metric series and no log line at INFO ever carries the private name.
 */
public final class Playback {
    private static final Logger log = LoggerFactory.getLogger(Playback.class);

    /** How often a DESCRIBE of a stream that is not live yet looks again, within the play wait. */
    static final long DESCRIBE_POLL_MS = 100;
    /** How much audio a stream with no video config shows before it is taken for an audio-only stream. */
    static final long AUDIO_ONLY_SETTLE_MS = 1_000;

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final NodeCounters counters;
    private final ViewerPolicy policy;
    private final IngestPointStore ingestPoints;
    private final Authorisation authorisation;
    private volatile Relocation relocation = Relocation.STAY;
    /** Every viewer made here and not closed yet, whatever its state: what a drain sends away. */
    private final Set<Viewer> live = ConcurrentHashMap.newKeySet();
    /** A client can send refused requests as fast as it likes (every HLS request is checked): a line a second. */
    private final RateLimitedLog refusals = new RateLimitedLog(log, 1_000_000_000L);

    /** Playback that asks viewers for no credentials. */
    public Playback(Vertx vertx, StreamHubs hubs, NodeCounters counters, ViewerPolicy policy,
                    IngestPointStore ingestPoints) {
        this(vertx, hubs, counters, policy, ingestPoints, Authorisation.OPEN);
    }

    /**
     * @param ingestPoints  when not null, plays of ingest points' private names are refused at once
     * @param authorisation who may play ({@code auth.play})
     */
    public Playback(Vertx vertx, StreamHubs hubs, NodeCounters counters, ViewerPolicy policy,
                    IngestPointStore ingestPoints, Authorisation authorisation) {
        this.authorisation = authorisation;
        this.vertx = vertx;
        this.hubs = hubs;
        this.counters = counters;
        this.policy = policy;
        this.ingestPoints = ingestPoints;
    }

    /**
     * Whether a viewer may play {@code stream}: completes on {@code context} with a {@link Grant} for
     * {@link #play(Grant, String, Supplier, ViewerOutput)}, or fails with {@link Refused} (counted). For protocols
     * that answer a refusal before they do any work (HTTP: a status before the response or the upgrade).
     *
     * @param credentials what the client presented: the query after the name's '?' (tokens), the user it proved
     * @param protocol    the protocol's registered name
     */
    public Future<Grant> authorise(String stream, Credentials credentials, String protocol, String peer,
                                   Context context) {
        if (!authorises()) {
            return Future.succeededFuture(new Grant(stream, protocol)); // nothing to ask: no hop, no delay
        }
        Promise<Grant> answer = Promise.promise();
        check(stream, credentials, protocol, peer).onComplete(checked -> context.runOnContext(v -> {
            Verdict verdict = checked.succeeded() ? checked.result()
                    : Verdict.deny(false, "authorisation failed: " + checked.cause());
            if (verdict.allowed()) {
                answer.complete(new Grant(stream, protocol));
            } else {
                if (authorisation.isChallenge(Action.PLAY, verdict)) {
                    log.debug("{}: play ({}) asked for a password", peer, protocol);
                } else {
                    counters.playRefusedUnauthorised.increment();
                    refusals.info("{}: play refused ({}), unauthorised: {}", peer, protocol, verdict.reason());
                }
                // a refused password is asked for again (HTTP clients and browsers prompt only on a 401)
                boolean forbidden = verdict.presented()
                        && authorisation.mode(Action.PLAY) != Authorisation.Mode.PASSWORD;
                answer.fail(new Refused(Refusal.UNAUTHORISED, forbidden ? 403 : 401,
                        authorisation.httpChallenge(Action.PLAY)));
            }
        }));
        return answer.future();
    }

    private Viewer track(Viewer viewer) {
        live.add(viewer);
        viewer.whenClosed(() -> live.remove(viewer));
        return viewer;
    }

    /** Viewers on this node now: playing, or waiting for their stream. */
    public int viewers() {
        return live.size();
    }

    /**
     * The viewers on this node that joined their stream (playing, or waiting for its publisher), as the API lists
     * them; a viewer still being authorised or checked against the ingest points is not among them, so a private
     * name a client tried never shows. As many as the listeners' connection bounds let in.
     */
    public List<Viewer.Info> viewerInfos() {
        List<Viewer.Info> out = new ArrayList<>();
        for (Viewer v : live) {
            Viewer.Info info = v.info();
            if (info != null) {
                out.add(info);
            }
        }
        return out;
    }

    /**
     * Ends every viewer's play with its protocol's notice ({@link ViewerOutput#goingAway}), each on its own event
     * loop: a drain's end. Their protocols close them as their connections close.
     */
    public void sendAllAway() {
        for (Viewer v : List.copyOf(live)) {
            v.post(() -> v.output().goingAway());
        }
    }

    /** Where new viewers are sent instead of this node, when they are (a draining node); set once at start. */
    public void relocateWith(Relocation r) {
        this.relocation = r;
    }

    /** Where new viewers go instead of this node: {@link Relocation#STAY} unless the node moves them away. */
    public Relocation relocation() {
        return relocation;
    }

    /** Whether plays are authorised at all here ({@code auth.play} is not none): HTTP then checks every request. */
    public boolean authorises() {
        return authorisation.mode(Action.PLAY) != Authorisation.Mode.NONE;
    }

    private Future<Verdict> check(String stream, Credentials credentials, String protocol, String peer) {
        return authorisation.check(new AccessRequest(Action.PLAY, stream, credentials, protocol, peer));
    }

    /**
     * What a request with an HTTP-style {@code Authorization} header presents (every HTTP route, and RTSP): its
     * query, and the user the header proves by Basic or Digest when plays ask for a password.
     *
     * @param method        the request's method, which a Digest answer covers
     * @param authorization the header, or null when absent
     */
    public Credentials credentials(String query, String method, String authorization) {
        Passwords passwords = authorisation.passwords();
        if (passwords == null || authorisation.mode(Action.PLAY) != Authorisation.Mode.PASSWORD) {
            return Credentials.query(query);
        }
        return new Credentials(query, passwords.user(method, authorization, System.currentTimeMillis() / 1000),
                authorization != null);
    }

    /**
     * Starts a play; called on the output's event loop. The returned viewer is the protocol's to {@link Viewer#close}
     * when its client leaves, whether or not playback started. Authorisation comes first: a refused viewer gets
     * {@link ViewerOutput#unauthorised}.
     *
     * @param credentials what the client presented: the query after the name's '?' (tokens), the user it proved
     * @param protocol    the protocol's registered name: viewers of one protocol share its encoding
     * @param encoder     makes the protocol's encoder, when this stream has no viewer of the protocol on this node yet
     */
    public Viewer play(String stream, Credentials credentials, String protocol, Supplier<FrameEncoder> encoder,
                       ViewerOutput output) {
        return play(stream, credentials, protocol, protocol, encoder, output);
    }

    /**
     * As {@link #play(String, String, String, Supplier, ViewerOutput)}, for a protocol whose viewers need different
     * bytes (RTSP's interleaved channels, its MPEG-TS form): viewers with the same {@code encoding} share one encoder.
     */
    public Viewer play(String stream, Credentials credentials, String protocol, String encoding,
                       Supplier<FrameEncoder> encoder,
                       ViewerOutput output) {
        Viewer viewer = track(new Viewer(output, stream, protocol, counters, policy.maxBehindMs()));
        if (!authorises()) {
            start(viewer, stream, encoding, encoder);
            return viewer;
        }
        authorise(stream, credentials, protocol, output.peer(), output.context()).onComplete(granted -> {
            if (granted.succeeded()) {
                start(viewer, stream, encoding, encoder);
            } else {
                viewer.unauthorised();
            }
        });
        return viewer;
    }

    /** Starts the play an earlier {@link #authorise} allowed, as the other {@code play} methods do after theirs. */
    public Viewer play(Grant grant, String encoding, Supplier<FrameEncoder> encoder, ViewerOutput output) {
        Viewer viewer = track(new Viewer(output, grant.stream, grant.protocol, counters, policy.maxBehindMs()));
        start(viewer, grant.stream, encoding, encoder);
        return viewer;
    }

    /**
     * A relay of this cluster (a push) plays the stream: it was configured through the API, which has its own
     * authorisation, so no viewer authorisation is asked.
     */
    public Viewer relay(String stream, String protocol, Supplier<FrameEncoder> encoder, ViewerOutput output) {
        return relay(stream, protocol, protocol, encoder, output);
    }

    /** As {@link #relay(String, String, Supplier, ViewerOutput)}, sharing bytes only with viewers of {@code encoding}. */
    public Viewer relay(String stream, String protocol, String encoding, Supplier<FrameEncoder> encoder,
                        ViewerOutput output) {
        return play(new Grant(stream, protocol), encoding, encoder, output);
    }

    /**
     * The stream's configuration frames for a relay (a push that announces the stream first, as RTSP's does): as
     * {@link #describe(String, Credentials, String, String, Context)}, without viewer authorisation, for the reason
     * {@link #relay} asks none.
     */
    public Future<List<MediaFrame>> describeRelay(String stream, Context context) {
        return describe(stream, context);
    }

    private void start(Viewer viewer, String stream, String encoding, Supplier<FrameEncoder> encoder) {
        if (ingestPoints == null) {
            attach(viewer, stream, encoding, encoder);
            return;
        }
        ViewerOutput output = viewer.output();
        ingestPoints.resolve(stream).onComplete(resolved -> output.context().runOnContext(v -> {
            if (resolved.succeeded() && resolved.result() != null) {
                log.info("play refused by {}: the name is an ingest point's private name", output.peer());
                viewer.refuse();
            } else {
                attach(viewer, stream, encoding, encoder); // a store that does not answer must not stop viewers
            }
        }));
    }

    /**
     * The stream's configuration frames once it is live on this node, for a protocol that describes a stream before
     * playing it (RTSP's DESCRIBE): authorised as a play, then waits up to the play wait, like a play. Completes on
     * {@code context}; fails with {@link Refused} when authorisation says no, {@link NotLive} when nobody publishes
     * the name (or it is an ingest point's private name).
     */
    public Future<List<MediaFrame>> describe(String stream, Credentials credentials, String protocol, String peer,
                                             Context context) {
        return authorise(stream, credentials, protocol, peer, context).compose(granted -> describe(stream, context));
    }

    private Future<List<MediaFrame>> describe(String stream, Context context) {
        Promise<List<MediaFrame>> answer = Promise.promise();
        Future<Boolean> privateName = ingestPoints == null ? Future.succeededFuture(false)
                : ingestPoints.resolve(stream).map(point -> point != null).otherwise(false);
        privateName.onComplete(found -> context.runOnContext(v -> {
            StreamHub hub = found.result() ? null : hubs.acquire(stream, context);
            if (hub == null) {
                counters.playRefusedNotFound.increment();
                answer.fail(new NotLive(stream));
                return;
            }
            long deadline = System.nanoTime() + policy.playWaitMs() * 1_000_000;
            hub.context().runOnContext(w -> awaitLive(hub, deadline, answer, context));
        }));
        return answer.future();
    }

    /** Checks the hub on its event loop until it can be described or the play wait is over. */
    private void awaitLive(StreamHub hub, long deadlineNanos, Promise<List<MediaFrame>> answer, Context context) {
        List<MediaFrame> configs = hub.isLive() ? describable(hub.snapshot()) : null;
        if (configs == null && System.nanoTime() < deadlineNanos) {
            vertx.setTimer(DESCRIBE_POLL_MS, id -> hub.context().runOnContext(v -> awaitLive(hub, deadlineNanos,
                    answer, context)));
            return;
        }
        context.runOnContext(v -> {
            hubs.release(hub); // it lingers, so the PLAY that follows finds it subscribed
            if (configs == null) {
                counters.playRefusedNotFound.increment();
                answer.fail(new NotLive(hub.name()));
            } else {
                answer.complete(configs);
            }
        });
    }

    /**
     * The config frames of a snapshot once they describe every track the stream will have: a publish's first frames
     * may be held back a moment at ingest (RTSP aligns its tracks first), and a description without the video track
     * would be worse than a short wait. Ready at the first video keyframe; with no video config, after
     * {@link #AUDIO_ONLY_SETTLE_MS} of audio. Null when not ready.
     */
    static List<MediaFrame> describable(List<MediaFrame> snapshot) {
        List<MediaFrame> configs = new ArrayList<>();
        boolean videoConfig = false;
        boolean keyframe = false;
        long firstAudio = -1;
        long lastAudio = -1;
        for (MediaFrame f : snapshot) {
            if (f.isConfig()) {
                configs.add(f);
                videoConfig |= f.trackType() == TrackType.VIDEO;
            } else if (f.trackType() == TrackType.VIDEO) {
                keyframe |= f.isKeyframe();
            } else if (f.trackType() == TrackType.AUDIO) {
                firstAudio = firstAudio < 0 ? f.dtsMillis() : firstAudio;
                lastAudio = f.dtsMillis();
            }
        }
        boolean ready = videoConfig ? keyframe : firstAudio >= 0 && lastAudio - firstAudio >= AUDIO_ONLY_SETTLE_MS;
        return ready && !configs.isEmpty() ? configs : null;
    }

    /** Why a play is refused before it starts; each protocol answers with its own status. */
    public enum Refusal {
        /** Authorisation said no (no token, a bad or expired one, the callback denied). */
        UNAUTHORISED
    }

    /** A refused play, with its reason. */
    public static final class Refused extends Exception {
        private final Refusal reason;
        private final int httpStatus;
        private final String challenge;

        Refused(Refusal reason, int httpStatus, String challenge) {
            super(reason == Refusal.UNAUTHORISED ? "not authorised" : reason.name(), null, false, false);
            this.reason = reason;
            this.httpStatus = httpStatus;
            this.challenge = challenge;
        }

        public Refusal reason() {
            return reason;
        }

        /**
         * The status of every HTTP route (HLS and DASH, HTTP-FLV, WebSocket upgrades, player pages): 401 when the
         * client presented no credentials or a refused password (so it is asked again), 403 when it presented a
         * token or other credentials that were refused.
         */
        public int httpStatus() {
            return httpStatus;
        }

        /** The {@code WWW-Authenticate} a 401 carries: Basic when plays ask for a password, else the token one. */
        public String httpChallenge() {
            return challenge;
        }
    }

    /** What {@link #authorise} grants: one play of one stream, by one protocol. Only authorisation makes one. */
    public static final class Grant {
        private final String stream;
        private final String protocol;

        Grant(String stream, String protocol) {
            this.stream = stream;
            this.protocol = protocol;
        }

        public String stream() {
            return stream;
        }
    }

    /** Nobody publishes the name (within the play wait). */
    public static final class NotLive extends Exception {
        NotLive(String stream) {
            super(stream + " is not live", null, false, false);
        }
    }

    private void attach(Viewer viewer, String stream, String protocol, Supplier<FrameEncoder> encoder) {
        StreamHub hub = hubs.acquire(stream, viewer.context());
        if (hub == null) {
            viewer.notFound();
            return;
        }
        if (viewer.attached(hub, hubs)) {
            hub.context().runOnContext(v -> hub.sink(ViewerFanout.class, () -> new ViewerFanout(vertx, hub, policy))
                    .add(viewer, protocol, encoder));
        }
    }
}
