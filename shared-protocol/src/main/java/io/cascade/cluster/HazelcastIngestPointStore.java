package io.cascade.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.cascade.media.StreamNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ingest points in two Hazelcast maps, private to public and public to private, each with a synchronous backup.
 * Every change takes one cluster-wide lock (a key lock of a small map: released by Hazelcast when its holder
 * dies) so the two maps change together and no name is ever both a private and a public name. Reads take no lock.
 * The public entry is written first and removed last, so a member dying half-way leaves at worst a public name
 * that nothing resolves to; the next create that meets it removes it.
 *
 * <p>Durability, when a snapshot file is given: the node that makes a change rewrites its file before the change
 * completes, and every other node with a file rewrites its own when the change reaches it (a map listener), so
 * every origin node holds the whole set. At startup a node loads its file only when the cluster holds no ingest
 * point (it is the first one up after a restart of the whole cluster); otherwise the cluster wins and the node
 * rewrites its file from it. A node that was down while points were removed, and that comes up first after a
 * full restart, brings its older set back.
 */
public final class HazelcastIngestPointStore implements IngestPointStore {
    private static final Logger log = LoggerFactory.getLogger(HazelcastIngestPointStore.class);
    public static final String PRIVATE_MAP = "cascade.ingestPoints.private";
    public static final String PUBLIC_MAP = "cascade.ingestPoints.public";
    static final String LOCK_MAP = "cascade.ingestPoints.lock";
    private static final String LOCK_KEY = "all";
    /** A change waits this long for the cluster lock before it fails: longer than any change holds it. */
    static final long LOCK_WAIT_SECONDS = 10;

    private final Vertx vertx;
    private final IMap<String, String> byPrivate;
    private final IMap<String, String> byPublic;
    private final IMap<String, String> lock;
    private final Path snapshot;
    private final Object snapshotWrite = new Object();
    private final AtomicBoolean snapshotPending = new AtomicBoolean();
    private final UUID listener;

    /** @param snapshot the file this node keeps the points in, or null for none */
    public HazelcastIngestPointStore(Vertx vertx, HazelcastInstance hazelcast, Path snapshot) {
        this.vertx = vertx;
        this.byPrivate = hazelcast.getMap(PRIVATE_MAP);
        this.byPublic = hazelcast.getMap(PUBLIC_MAP);
        this.lock = hazelcast.getMap(LOCK_MAP);
        this.snapshot = snapshot;
        this.listener = snapshot == null ? null : byPrivate.addEntryListener(new Changes(), false);
    }

    /** The map settings the ingest points need: one synchronous backup, so losing one member loses nothing. */
    public static void configure(Config hazelcast) {
        for (String map : List.of(PRIVATE_MAP, PUBLIC_MAP)) {
            hazelcast.addMapConfig(new MapConfig(map).setBackupCount(1).setAsyncBackupCount(0));
        }
    }

    /** Stops following changes for the snapshot file (the maps belong to the cluster). */
    public void close() {
        if (listener != null) {
            byPrivate.removeEntryListener(listener);
        }
    }

    /**
     * Call once at startup: loads the snapshot file into the cluster when the cluster holds no ingest point, else
     * rewrites the file from the cluster. Completes with the number of points loaded; fails on a damaged file.
     */
    public Future<Integer> loadSnapshot() {
        if (snapshot == null) {
            return Future.succeededFuture(0);
        }
        return blocking(() -> {
            int[] counts = locked(() -> {
                int loaded = 0;
                int skipped = 0;
                if (byPrivate.isEmpty() && byPublic.isEmpty()) {
                    for (IngestPoint p : IngestPointSnapshot.read(snapshot)) {
                        if (createLocked(p) == CreateResult.CREATED) {
                            loaded++;
                        } else {
                            skipped++;
                        }
                    }
                }
                return new int[] {loaded, skipped};
            });
            if (counts[0] > 0 || counts[1] > 0) {
                log.info("loaded {} ingest points from {} ({} conflicting entries skipped)", counts[0], snapshot,
                        counts[1]);
            }
            if (counts[0] == 0 && !byPrivate.isEmpty()) {
                writeSnapshot(); // joined a running cluster: its set replaces whatever the file held
            }
            return counts[0];
        });
    }

    @Override
    public Future<CreateResult> create(IngestPoint point) {
        if (!StreamNames.isValid(point.privateName()) || !StreamNames.isValid(point.publicName())) {
            return Future.succeededFuture(CreateResult.INVALID_NAME);
        }
        if (point.privateName().equals(point.publicName())) {
            return Future.succeededFuture(CreateResult.SAME_NAME);
        }
        return blocking(() -> {
            CreateResult result = locked(() -> createLocked(point));
            if (result == CreateResult.CREATED) {
                writeSnapshot();
            }
            return result;
        });
    }

    @Override
    public Future<Boolean> remove(String privateName) {
        if (!StreamNames.isValid(privateName)) {
            return Future.succeededFuture(false);
        }
        return blocking(() -> {
            boolean removed = locked(() -> {
                String pub = byPrivate.remove(privateName);
                if (pub != null) {
                    byPublic.remove(pub, privateName);
                }
                return pub != null;
            });
            if (removed) {
                writeSnapshot();
            }
            return removed;
        });
    }

    @Override
    public Future<List<IngestPoint>> list() {
        return blocking(this::points);
    }

    @Override
    public Future<String> resolve(String privateName) {
        if (!StreamNames.isValid(privateName)) {
            return Future.succeededFuture(null);
        }
        return blocking(() -> byPrivate.get(privateName));
    }

    @Override
    public Future<Boolean> isPublicName(String name) {
        if (!StreamNames.isValid(name)) {
            return Future.succeededFuture(false);
        }
        return blocking(() -> byPublic.containsKey(name));
    }

    /** Only with the cluster lock held. */
    private CreateResult createLocked(IngestPoint p) {
        if (byPrivate.containsKey(p.privateName())) {
            return CreateResult.PRIVATE_NAME_TAKEN;
        }
        if (isLivePublicName(p.privateName())) {
            return CreateResult.PRIVATE_NAME_IS_PUBLIC;
        }
        if (isLivePublicName(p.publicName())) {
            return CreateResult.PUBLIC_NAME_TAKEN;
        }
        if (byPrivate.containsKey(p.publicName())) {
            return CreateResult.PUBLIC_NAME_IS_PRIVATE;
        }
        if (byPrivate.size() >= MAX_POINTS) {
            return CreateResult.LIMIT_REACHED;
        }
        byPublic.set(p.publicName(), p.privateName());
        byPrivate.set(p.privateName(), p.publicName());
        return CreateResult.CREATED;
    }

    /** True when a point has this public name; removes a public entry left behind by a member that died mid-change. */
    private boolean isLivePublicName(String name) {
        String priv = byPublic.get(name);
        if (priv == null) {
            return false;
        }
        if (!name.equals(byPrivate.get(priv))) {
            byPublic.remove(name, priv);
            return false;
        }
        return true;
    }

    private <T> T locked(Callable<T> change) throws Exception {
        if (!lock.tryLock(LOCK_KEY, LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ingest points: cluster lock not available within " + LOCK_WAIT_SECONDS + " s");
        }
        try {
            return change.call();
        } finally {
            lock.unlock(LOCK_KEY);
        }
    }

    private List<IngestPoint> points() {
        List<IngestPoint> out = new ArrayList<>();
        for (Map.Entry<String, String> e : byPrivate.entrySet()) {
            out.add(new IngestPoint(e.getKey(), e.getValue()));
        }
        out.sort(Comparator.comparing(IngestPoint::publicName));
        return out;
    }

    /** Rewrites the file from the cluster's current set; the read happens inside, so the last write is the newest. */
    private void writeSnapshot() throws IOException {
        if (snapshot == null) {
            return;
        }
        synchronized (snapshotWrite) {
            IngestPointSnapshot.write(snapshot, points());
        }
    }

    /** A change made anywhere in the cluster: rewrite this node's file soon, one write for a burst of changes. */
    private void changed() {
        if (snapshotPending.compareAndSet(false, true)) {
            vertx.executeBlocking(() -> {
                snapshotPending.set(false);
                writeSnapshot();
                return null;
            }, false).onFailure(e -> log.warn("ingest points: could not rewrite {}: {}", snapshot, e.toString()));
        }
    }

    private final class Changes implements EntryAddedListener<String, String>, EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            changed();
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            changed();
        }
    }

    private <T> Future<T> blocking(Callable<T> call) {
        return vertx.executeBlocking(call, false);
    }
}
