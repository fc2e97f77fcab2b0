package io.cascade.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Set;
import io.cascade.auth.AccessRequest;
import io.cascade.auth.Action;
import io.cascade.auth.Authorisation;
import io.cascade.auth.Credentials;
import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.StreamRecord;
import io.cascade.cluster.StreamRegistry;
import io.cascade.cluster.StreamTimeline;
import io.cascade.media.StreamNames;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.RateLimitedLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door every publisher comes through, whatever its protocol (an RTMP socket, an RTSP RECORD, a TS
 * listener, a pull): given the name it asked for, it answers a {@link Publication} or a typed {@link Refused}.
 * Authorisation, ingest points, the cluster-wide name claim and the stream's timeline are decided here and nowhere
 * else, so every protocol refuses and accepts by the same rules; each maps a {@link Refusal} to its own status.
 *
 * <p>Authorisation ({@link Authorisation}: a signed token in the query, or a callback) comes first, before anything
 * asks the cluster, and is given the name the publisher sent: with ingest points that is the private name, the one
 * the publisher knows and a token for it is minted for. A refusal for it is logged with its reason only.
 *
 * <p>With ingest points required, the name asked for must be an ingest point's private name: the stream is then
 * claimed, published and logged under the point's public name only, and the private name never appears at INFO.
 */
public final class Admission {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    /**
     * One publisher asking to publish.
     *
     * @param name     the stream name it sent (a private name where ingest points are required)
     * @param credentials what it presented, for authorisation: the query after the name, the user it proved
     * @param protocol the protocol's registered name ("rtmp", ...): the stream's ingest protocol in the registry
     * @param peer     who asks, for logs
     */
    public record Attempt(String name, Credentials credentials, String protocol, String peer) {
        /** An attempt that presents a query and no proven user. */
        public Attempt(String name, String query, String protocol, String peer) {
            this(name, Credentials.query(query), protocol, peer);
        }
    }

    /** Why a publish is refused; each protocol answers with its own status for each. */
    public enum Refusal {
        /** The name breaks the naming rule. */
        BAD_NAME,
        /** Ingest points are required and the name is no ingest point's private name. */
        NOT_INGEST_POINT,
        /** Another publisher, alive, publishes the name somewhere in the cluster. */
        NAME_IN_USE,
        /** The publisher's credentials were refused. */
        UNAUTHORISED,
        /**
         * A password is needed and the publisher offered none: its protocol asks for one (the first step of every
         * password scheme, so not counted as a refusal).
         */
        PASSWORD_NEEDED,
        /** The stream registry or the ingest-point store did not answer. */
        CLUSTER_UNAVAILABLE,
        /** The node's memory budget takes no new stream: the publisher should go to another node. */
        NODE_FULL
    }

    /** A refused publish, with its reason and a sentence a publisher may be shown. */
    public static final class Refused extends Exception {
        private final Refusal reason;

        Refused(Refusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Refusal reason() {
            return reason;
        }
    }

    /**
     * How often the names of this node's publishers are checked against the cluster's registry. When a partition
     * heals, a publisher whose name the merged registry gave to another node's publisher is ended within this
     * (after Hazelcast's merge itself); a healthy node makes one batched lookup per period, and none without
     * publishers.
     */
    public static final long OWNERSHIP_CHECK_MS = 2_000;

    private final Vertx vertx;
    private final StreamRegistry registry;
    private final String nodeId;
    private final NodeCounters counters;
    private final IngestPointStore ingestPoints;
    private final Publication.Settings settings;
    private final Authorisation authorisation;
    /** A publisher can be refused as often as it reconnects: a line a second at most. */
    private final RateLimitedLog refusals = new RateLimitedLog(log, 1_000_000_000L);
    /** The publications started on this node and not closed yet. */
    private final Set<Publication> live = ConcurrentHashMap.newKeySet();
    /** A check of the names is on its way: a slow registry gets one question at a time. */
    private final AtomicBoolean checkingOwnership = new AtomicBoolean();

    /** Admission that asks publishers for no credentials. */
    public Admission(Vertx vertx, StreamRegistry registry, String nodeId, NodeCounters counters,
                     IngestPointStore ingestPoints, Publication.Settings settings) {
        this(vertx, registry, nodeId, counters, ingestPoints, settings, Authorisation.OPEN);
    }

    /**
     * @param ingestPoints  when not null, publishers must send an ingest point's private name
     * @param authorisation who may publish ({@code auth.publish})
     */
    public Admission(Vertx vertx, StreamRegistry registry, String nodeId, NodeCounters counters,
                     IngestPointStore ingestPoints, Publication.Settings settings, Authorisation authorisation) {
        this.authorisation = authorisation;
        this.vertx = vertx;
        this.registry = registry;
        this.nodeId = nodeId;
        this.counters = counters;
        this.ingestPoints = ingestPoints;
        this.settings = settings;
        vertx.setPeriodic(OWNERSHIP_CHECK_MS, id -> checkOwnership());
    }

    /**
     * Ends the publishers whose names another node owns now: two halves of a partitioned cluster each admitted a
     * publisher of a name, and the heal kept the other one. Its encoder may reconnect; it is then refused as any
     * second publisher of a live name is.
     */
    private void checkOwnership() {
        if (live.isEmpty() || !checkingOwnership.compareAndSet(false, true)) {
            return;
        }
        registry.reconcile().onComplete(checked -> {
            checkingOwnership.set(false);
            if (checked.failed()) {
                log.debug("names of this node's publishers not checked: {}", checked.cause().toString());
                return;
            }
            for (Publication p : Set.copyOf(live)) {
                if (checked.result().contains(p.name())) {
                    counters.publishersEndedNameLost.increment();
                    log.warn("publish of {} ended: after a partition healed, the cluster kept another node's publisher"
                            + " of the name", p.name());
                    p.endPublisher();
                }
            }
        });
    }

    /**
     * Decides on a publish. Completes on the caller's context with a {@link Publication} that holds the name
     * (the caller starts it, or closes it when its publisher left meanwhile) or fails with {@link Refused}.
     */
    public Future<Publication> admit(Attempt attempt) {
        return answer(attempt, decide(attempt));
    }

    /**
     * A relay of this cluster publishes (a pull). It was set up through the API or the relay file, which have their
     * own authorisation, so publisher authorisation and ingest points do not apply and the name is the public one;
     * the naming rule, the memory budget and the cluster-wide claim do.
     */
    public Future<Publication> admitRelay(String name, String protocol, String peer) {
        Attempt attempt = new Attempt(name, "", protocol, peer);
        Future<Publication> decision = !StreamNames.isValid(name)
                ? refuse(attempt, Refusal.BAD_NAME, "Invalid stream name.")
                : !counters.memory.admitsPublisher()
                ? refuse(attempt, Refusal.NODE_FULL, "The server is full, try another one.")
                : claim(attempt, name);
        return answer(attempt, decision);
    }

    private Future<Publication> answer(Attempt attempt, Future<Publication> decision) {
        Context caller = vertx.getOrCreateContext();
        Promise<Publication> answer = Promise.promise();
        decision.onComplete(result -> caller.runOnContext(v -> {
            if (result.succeeded()) {
                answer.complete(result.result());
                return;
            }
            Refused refused = result.cause() instanceof Refused r ? r : unexpected(attempt, result.cause());
            count(refused.reason());
            answer.fail(refused);
        }));
        return answer.future();
    }

    private Future<Publication> decide(Attempt attempt) {
        if (!StreamNames.isValid(attempt.name())) {
            return refuse(attempt, Refusal.BAD_NAME, "Invalid stream name.");
        }
        if (!counters.memory.admitsPublisher()) {
            refusals.warn("{}: publish refused ({}), the node is full: {}", attempt.peer(), attempt.protocol(),
                    counters.memory.describe());
            return refuse(attempt, Refusal.NODE_FULL, "The server is full, try another one.");
        }
        return authorisation.check(new AccessRequest(Action.PUBLISH, attempt.name(), attempt.credentials(),
                attempt.protocol(), attempt.peer())).transform(checked -> {
            if (checked.failed()) {
                log.warn("{}: publish refused, authorisation failed: {}", attempt.peer(), checked.cause().toString());
                return refuse(attempt, Refusal.UNAUTHORISED, "Not authorised.");
            }
            if (authorisation.isChallenge(Action.PUBLISH, checked.result())) {
                log.debug("{}: publish ({}) asked for a password", attempt.peer(), attempt.protocol());
                return Future.failedFuture(new Refused(Refusal.PASSWORD_NEEDED, "Publishing needs a user and password."));
            }
            if (!checked.result().allowed()) {
                // the name may be a private one, and the query holds the token: the reason only
                refusals.info("{}: publish refused ({}), unauthorised: {}", attempt.peer(), attempt.protocol(),
                        checked.result().reason());
                return refuse(attempt, Refusal.UNAUTHORISED, "Not authorised.");
            }
            return admitAuthorised(attempt);
        });
    }

    private Future<Publication> admitAuthorised(Admission.Attempt attempt) {
        if (ingestPoints == null) {
            return claim(attempt, attempt.name());
        }
        return ingestPoints.resolve(attempt.name()).transform(resolved -> {
            if (resolved.failed()) {
                log.warn("{}: publish refused, ingest points unavailable: {}", attempt.peer(), resolved.cause().toString());
                return refuse(attempt, Refusal.CLUSTER_UNAVAILABLE, "Ingest points unavailable.");
            }
            if (resolved.result() == null) {
                // the name may be a mistyped private name: never at INFO
                log.info("{}: publish refused, the name is no ingest point's private name", attempt.peer());
                log.debug("{}: refused publish name {}", attempt.peer(), attempt.name());
                return refuse(attempt, Refusal.NOT_INGEST_POINT, "Publish to the private name of an ingest point.");
            }
            return claim(attempt, resolved.result());
        });
    }

    /** Claims {@code name} (the stream's public name) cluster-wide, then looks up where its timeline stands. */
    private Future<Publication> claim(Attempt attempt, String name) {
        StreamRecord record = new StreamRecord(name, nodeId, attempt.protocol(), System.currentTimeMillis());
        return registry.claim(record).transform(claimed -> {
            if (claimed.failed()) {
                log.warn("{}: publish {} refused, registry unavailable: {}", attempt.peer(), name,
                        claimed.cause().toString());
                return refuse(attempt, Refusal.CLUSTER_UNAVAILABLE, "Stream registry unavailable.");
            }
            if (!claimed.result()) {
                log.info("{}: publish {} refused, the name is live already", attempt.peer(), name);
                return refuse(attempt, Refusal.NAME_IN_USE, "Stream " + attempt.name() + " is already being published.");
            }
            return registry.timeline(name).transform(found -> {
                if (found.failed()) {
                    log.warn("{}: segment numbering of {} unknown ({}), starting at 0", attempt.peer(), name,
                            found.cause().toString());
                }
                StreamTimeline timeline = found.succeeded() ? found.result() : StreamTimeline.NEW;
                return Future.succeededFuture(new Publication(vertx, registry, nodeId, counters, settings, attempt,
                        name, timeline, live));
            });
        });
    }

    /** A bug on the way must refuse this publisher only, with a typed answer like any other refusal. */
    private static Refused unexpected(Attempt attempt, Throwable cause) {
        log.error("{}: publish refused after an internal error", attempt.peer(), cause);
        return new Refused(Refusal.CLUSTER_UNAVAILABLE, "Internal error.");
    }

    private static Future<Publication> refuse(Attempt attempt, Refusal reason, String message) {
        return Future.failedFuture(new Refused(reason, message));
    }

    /** Publishers live on this node now. */
    public int publishers() {
        return live.size();
    }

    /** The publications live on this node now (started and not closed), for the API to describe. */
    public java.util.List<Publication> publications() {
        return java.util.List.copyOf(live);
    }

    /**
     * Ends the publisher of the stream {@code name} (its public name) on this node, the way its protocol ends one, as
     * a drain does (API {@code shutdownStream}); the stream then stops as when its publisher leaves. False when no
     * publisher of that name is live here.
     */
    public boolean endPublisher(String name) {
        boolean ended = false;
        for (Publication p : Set.copyOf(live)) {
            if (p.name().equals(name)) {
                log.info("publish of {} ended by the API", name);
                p.endPublisher();
                ended = true;
            }
        }
        return ended;
    }

    /**
     * Ends every publisher's connection, each the way its protocol ends one (a drain: encoders reconnect through
     * the load balancer to another node); each stream then stops as when its publisher leaves.
     */
    public void endAllPublishers() {
        for (Publication p : Set.copyOf(live)) {
            p.endPublisher();
        }
    }

    private void count(Refusal reason) {
        switch (reason) {
            case NAME_IN_USE -> counters.publishRefusedNameInUse.increment();
            case NOT_INGEST_POINT -> counters.publishRefusedNotIngestPoint.increment();
            case UNAUTHORISED -> counters.publishRefusedUnauthorised.increment();
            case NODE_FULL -> counters.publishRefusedNodeFull.increment();
            case PASSWORD_NEEDED -> { } // a challenge, not a refusal
            default -> counters.publishRefusedOther.increment();
        }
    }
}
