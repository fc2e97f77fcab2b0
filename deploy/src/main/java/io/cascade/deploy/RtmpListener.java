package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.rtmp.RtmpPlayback;
import io.cascade.ingest.rtmp.RtmpPublishing;
import io.cascade.rtmp.RtmpPlayHandler;
import io.cascade.rtmp.RtmpPublishHandler;
import io.cascade.rtmp.RtmpServer;
import io.cascade.settings.Setting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** RTMP on {@code rtmp.port}: publishers (ingest) and players (edge) share the port. One server per event loop. */
final class RtmpListener implements Listener {
    static final Setting<Integer> PORT = Setting.port("rtmp.port", 1935, "RTMP publish and play; `0` disables");

    @Override
    public String name() {
        return "rtmp";
    }

    @Override
    public List<Endpoint> endpoints(NodeConfig config) {
        return Endpoint.tcp(PORT, config.value(NodeSettings.BIND_HOST), config);
    }

    @Override
    public List<String> protocols() {
        return List.of(RtmpServer.PROTOCOL);
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return roles.contains(Role.INGEST) || roles.contains(Role.EDGE);
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        RtmpPublishHandler publishing = node.admission != null ? new RtmpPublishing(node.admission)
                : RtmpServer.NO_PUBLISHING;
        RtmpPlayHandler playing = node.playback != null ? new RtmpPlayback(node.playback) : RtmpServer.NO_PLAYBACK;
        RtmpServer.Settings settings = new RtmpServer.Settings(at.host(), at.port(), publishing, playing, node.counters,
                node.config.value(ViewerPolicy.QUEUE_BYTES), node.config.value(ViewerPolicy.SOCKET_SEND_BYTES),
                RtmpServer.HANDSHAKE_DEADLINE_MS, RtmpServer.IDLE_TIMEOUT_MS);
        List<RtmpServer> instances = new ArrayList<>();
        int count = Math.max(1, Runtime.getRuntime().availableProcessors());
        return node.vertx.deployVerticle(() -> {
            RtmpServer s = new RtmpServer(settings);
            synchronized (instances) {
                instances.add(s);
            }
            return s;
        }, new DeploymentOptions().setInstances(count)).map(id -> {
            boolean publish = node.admission != null;
            boolean play = node.playback != null;
            String serves = (publish ? "publish" : "") + (publish && play ? " + " : "") + (play ? "play" : "");
            String ingestPoints = publish && node.requiredIngestPoints() != null ? ", ingest points required" : "";
            return new Bound(at.host(), instances.get(0).actualPort(),
                    serves + ingestPoints + ", " + count + " event loops");
        });
    }
}
