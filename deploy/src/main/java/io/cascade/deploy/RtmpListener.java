package io.cascade.deploy;

import io.cascade.cluster.NodeLoad;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtmp.RtmpPlayback;
import io.cascade.ingest.PublishRecording;
import io.cascade.ingest.rtmp.RtmpPublishing;
import io.cascade.metrics.ConnectionLimit;
import io.cascade.rtmp.RtmpPlayHandler;
import io.cascade.rtmp.RtmpPublishHandler;
import io.cascade.rtmp.RtmpServer;
import io.cascade.rtmp.RtmptServer;
import io.cascade.settings.Setting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RTMP on {@code rtmp.port}: publishers (ingest) and players (edge) share the port. One server per event loop.
 * {@link Tls} (RTMPS) and {@link Tunnel} (RTMPT) carry the same protocol, sessions and counters over TLS and over
 * HTTP POSTs: each is a listener of its own, with its port, startup line and readiness entry, and counts as
 * protocol {@code rtmp}.
 */
class RtmpListener implements Listener {
    static final Setting<Integer> PORT = Setting.port("rtmp.port", 1935, "RTMP publish and play; `0` disables");
    static final Setting<Integer> TLS_PORT = Setting.port("rtmps.port", 0,
            "RTMPS: RTMP over TLS (`tls.cert`, `tls.key`), publish and play, counted as `rtmp`; `0` disables");
    static final Setting<Integer> TUNNEL_PORT = Setting.port("rtmpt.port", 0,
            "RTMPT: RTMP tunnelled over HTTP POSTs, publish and play, counted as `rtmp`; `0` disables");
    static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("rtmp.max.connections", 10_000, 1, 1_000_000,
            "connections the RTMP listener (and the RTMPS one, each) holds at most; the next is closed at once and"
                    + " counted");

    @Override
    public String name() {
        return "rtmp";
    }

    /** The port setting of this variant. */
    Setting<Integer> port() {
        return PORT;
    }

    @Override
    public List<Endpoint> endpoints(NodeConfig config) {
        return Endpoint.tcp(port(), config.value(NodeSettings.BIND_HOST), config);
    }

    @Override
    public List<String> protocols() {
        return List.of(RtmpServer.PROTOCOL);
    }

    @Override
    public List<Setting<?>> settings() {
        return getClass() == RtmpListener.class ? List.of(MAX_CONNECTIONS) : List.of(); // listed once, with rtmp
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return roles.contains(Role.INGEST) || roles.contains(Role.EDGE);
    }

    /** Plain, over TLS and tunnelled alike: the listener's name is its URL scheme ({@code rtmps://}, {@code rtmpt://}). */
    @Override
    public Map<String, String> playUrls() {
        return Map.of(name(), name() + "://" + HOST + "/live/" + NodeLoad.STREAM);
    }

    @Override
    public Map<String, String> publishUrls() {
        return playUrls();
    }

    /** The settings every variant's server shares: the roles' handlers, the viewer queue, the deadlines. */
    static RtmpServer.Settings serverSettings(NodeServices node, Endpoint at) {
        PublishRecording recording = node.recordings != null ? node.recordings::recordPublish : PublishRecording.NONE;
        RtmpPublishHandler publishing = node.admission != null ? new RtmpPublishing(node.admission, recording)
                : RtmpServer.NO_PUBLISHING;
        RtmpPlayHandler playing = node.playback != null ? new RtmpPlayback(node.playback, new RtmpPlayback.Vod(
                node.vodFiles(), node.counters)) : RtmpServer.NO_PLAYBACK;
        return new RtmpServer.Settings(at.host(), at.port(), publishing, playing, node.counters,
                node.config.value(ViewerPolicy.QUEUE_BYTES), node.config.value(ViewerPolicy.SOCKET_SEND_BYTES),
                RtmpServer.HANDSHAKE_DEADLINE_MS, RtmpServer.IDLE_TIMEOUT_MS).withAuthorisation(node.authorisation)
                .withLimit(new ConnectionLimit(MAX_CONNECTIONS.key(), node.config.value(MAX_CONNECTIONS),
                        node.counters.protocol(RtmpServer.PROTOCOL)));
    }

    /** What the startup line says the port serves. */
    static String serves(NodeServices node) {
        boolean publish = node.admission != null;
        boolean play = node.playback != null;
        String serves = (publish ? "publish" : "") + (publish && play ? " + " : "") + (play ? "play" : "");
        String ingestPoints = publish && node.requiredIngestPoints() != null ? ", ingest points required" : "";
        return serves + ingestPoints;
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        return deploy(node, at, serverSettings(node, at), "");
    }

    /** One server per event loop on this endpoint; with TLS, each gets every certificate reload. */
    static Future<Bound> deploy(NodeServices node, Endpoint at, RtmpServer.Settings settings, String prefix) {
        List<RtmpServer> instances = new ArrayList<>();
        int count = Math.max(1, Runtime.getRuntime().availableProcessors());
        return node.vertx.deployVerticle(() -> {
            RtmpServer s = new RtmpServer(settings);
            synchronized (instances) {
                instances.add(s);
            }
            return s;
        }, new DeploymentOptions().setInstances(count)).map(id -> {
            if (settings.tls() != null) {
                // instances share one listening socket; each is told, whichever Vert.x asks
                instances.forEach(s -> node.tls.register(s::updateTls));
            }
            return new Bound(at.host(), instances.get(0).actualPort(),
                    prefix + serves(node) + ", " + count + " event loops");
        });
    }

    /** RTMPS on {@code rtmps.port}: the same server over TLS with the node's certificate. */
    static final class Tls extends RtmpListener {
        @Override
        public String name() {
            return "rtmps";
        }

        @Override
        Setting<Integer> port() {
            return TLS_PORT;
        }

        @Override
        public boolean tls(NodeConfig config) {
            return true;
        }

        @Override
        public Future<Bound> start(NodeServices node, Endpoint at) {
            return deploy(node, at, serverSettings(node, at).withTls(node.tls.sslOptions()), "TLS, ");
        }
    }

    /**
     * RTMPT on {@code rtmpt.port}: RTMP over HTTP POSTs ({@code /open/1}, {@code /send}, {@code /idle},
     * {@code /close}), one server on one event loop.
     */
    static final class Tunnel extends RtmpListener {
        @Override
        public String name() {
            return "rtmpt";
        }

        @Override
        Setting<Integer> port() {
            return TUNNEL_PORT;
        }

        @Override
        public Future<Bound> start(NodeServices node, Endpoint at) {
            RtmptServer server = new RtmptServer(serverSettings(node, at));
            return node.vertx.deployVerticle(server).map(id -> new Bound(at.host(), server.actualPort(),
                    "RTMP over HTTP POSTs, " + serves(node)));
        }
    }
}
