package io.cascade.deploy;

import io.cascade.auth.Authorisation;
import io.cascade.cluster.HazelcastIngestPointStore;
import io.cascade.cluster.IngestPointStore;
import io.cascade.cluster.StreamRegistry;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.StreamHubs;
import io.cascade.edge.fanout.Playback;
import io.cascade.vod.VodLibrary;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.protocol.MediaFiles;
import io.cascade.packaging.files.FileOutputs;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.recording.Recordings;
import io.cascade.ingest.Admission;
import io.cascade.metrics.NodeCounters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.nio.file.Path;
import java.util.Set;

/**
 * What a node's roles build and its listeners use. A part a role builds is null on a node without that role; the
 * role starters fill them in before any listener starts.
 */
final class NodeServices {
    final Vertx vertx;
    final NodeConfig config;
    final String nodeId;
    final Set<Role> roles;
    final NodeCounters counters;
    final PrometheusMeterRegistry meters;
    final NodeHealth health;
    final StreamRegistry registry;
    final HazelcastIngestPointStore ingestPoints;
    /** What AES-128 segment keys are derived from, the same on every node of the cluster. */
    final byte[] keySecret;
    /** How HLS/DASH segments are packaged, with keys from {@link #keySecret}. */
    final PackageSettings packaging;
    /** Who may publish and play ({@code auth.*}): asked by admission and by the viewer fan-out. */
    final Authorisation authorisation;

    /** The certificate and key of the TLS listeners, and their reloads; null when no listener uses TLS. */
    final NodeTls tls;

    /** Where publishers of every protocol are admitted (ingest). */
    Admission admission;
    /** One hub per stream with viewers or outputs here (edge, origin). */
    StreamHubs hubs;
    /** Where viewers of every protocol are attached (edge). */
    Playback playback;
    /** The files played on demand and pulled as live streams, and the bound on plays of them (every node). */
    final VodLibrary vod;
    /** createHLSStream, createDASHStream and the automatic folders (origin). */
    FileOutputs fileOutputs;
    /** record, RTMP publishes of type record/append, and their files (ingest and origin nodes; null on others). */
    Recordings recordings;
    /** Load reports, drain and where new clients go (every node). */
    NodeBalancing balancing;
    /** The cluster's pulls and pushes, and this node's share of them (every node). */
    NodeRelays relays;
    /** What this node tells the API's stream and connection verbs, and their asking side (every node). */
    NodeStreams streams;
    /** Wall clock when the node was put together: getServerInfo's uptime (several nodes may share one JVM). */
    final long startedAtMillis = System.currentTimeMillis();
    /**
     * The media files played on demand over RTMP, HTTP and RTSP (edge), open with their index on top of {@link #vod};
     * made by the first listener that needs it.
     */
    private VodFileCache vodFiles;
    /** The routes of the HTTP port, shared by its HTTPS twin; made by the first of them to start. */
    Router httpRouter;

    NodeServices(Vertx vertx, NodeConfig config, String nodeId, Set<Role> roles, NodeCounters counters,
                 PrometheusMeterRegistry meters, NodeHealth health, StreamRegistry registry,
                 HazelcastIngestPointStore ingestPoints, byte[] keySecret, PackageSettings packaging, NodeTls tls) {
        this.vertx = vertx;
        this.config = config;
        this.nodeId = nodeId;
        this.roles = roles;
        this.counters = counters;
        this.meters = meters;
        this.health = health;
        this.registry = registry;
        this.ingestPoints = ingestPoints;
        this.keySecret = keySecret;
        this.packaging = packaging;
        this.tls = tls;
        this.authorisation = Authorisation.of(vertx, config.authorisation());
        this.vod = new VodLibrary(vertx, config.vodFolders(), MediaFiles::open, config.value(VodLibrary.MAX_PLAYS));
    }

    /** The ingest points publishers and viewers are checked against, or null when none are required. */
    IngestPointStore requiredIngestPoints() {
        return config.value(NodeSettings.INGEST_POINTS_REQUIRED) ? ingestPoints : null;
    }

    /**
     * Makes the node's recordings (not started): the API's on origin nodes, publishes' own on ingest nodes, each
     * written under recording.dir (relative to data.dir unless absolute); the API's kept in data.dir.
     */
    Recordings makeRecordings() {
        Path dataDir = Path.of(config.value(NodeSettings.DATA_DIR));
        recordings = new Recordings(vertx, hubs(), nodeId, dataDir.resolve(config.value(Recordings.DIR)),
                roles.contains(Role.ORIGIN) ? dataDir.resolve(Recordings.FILE_NAME) : null,
                config.value(Recordings.MAX));
        return recordings;
    }

    /** The VOD folders' files, opened and packaged for every protocol that plays them on this node. */
    synchronized VodFileCache vodFiles() {
        if (vodFiles == null) {
            vodFiles = new VodFileCache(vod, config.value(VodFileCache.MAX_OPEN_FILES),
                    config.value(VodFileCache.SEGMENT_TARGET_MS), config.value(VodFileCache.CACHE_MAX_BYTES),
                    config.value(VodFileCache.CACHE_MAX_SEGMENTS), packaging.memory().packaged);
        }
        return vodFiles;
    }

    /** The node's hubs, made by whichever role needs them first. */
    StreamHubs hubs() {
        if (hubs == null) {
            hubs = new StreamHubs(vertx, nodeId, config.value(StreamHubs.LINGER_MS), counters,
                    name -> registry.find(name).map(r -> r == null ? null : r.ownerNode()));
        }
        return hubs;
    }
}
