package io.cascade.deploy;

import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.fanout.Playback;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.packaging.files.FileOutputSpec;
import io.cascade.packaging.files.FileOutputs;
import io.cascade.ingest.Admission;
import io.cascade.ingest.IngestStream;
import io.cascade.ingest.Publication;

import java.nio.file.Path;
import java.util.List;

/** What one role adds to a node, before its listeners start. Protocol-neutral: protocols are listeners. */
interface RoleStarter {
    Role role();

    void start(NodeServices node);

    /** The roles in the order they start. */
    List<RoleStarter> ALL = List.of(new Ingest(), new Edge(), new Origin());

    /** Publishers in: the admission every ingest protocol asks. */
    final class Ingest implements RoleStarter {
        @Override
        public Role role() {
            return Role.INGEST;
        }

        @Override
        public void start(NodeServices node) {
            IngestStream.Segments segments = new IngestStream.Segments(node.config.value(IngestStream.SEGMENT_TARGET_MS),
                    node.config.value(IngestStream.PLAYLIST_LENGTH));
            node.admission = new Admission(node.vertx, node.registry, node.nodeId, node.counters,
                    node.requiredIngestPoints(), new Publication.Settings(
                    node.config.value(IngestStream.MAX_IN_FLIGHT_BYTES), segments), node.authorisation);
        }
    }

    /** Viewers out: stream hubs and the fan-out every viewer protocol plays through. */
    final class Edge implements RoleStarter {
        @Override
        public Role role() {
            return Role.EDGE;
        }

        @Override
        public void start(NodeServices node) {
            node.playback = new Playback(node.vertx, node.hubs(), node.counters, new ViewerPolicy(
                    node.config.value(ViewerPolicy.PLAY_WAIT_MS), node.config.value(ViewerPolicy.MAX_BEHIND_MS),
                    node.config.value(ViewerPolicy.FLUSH_INTERVAL_MS)), node.requiredIngestPoints(),
                    node.authorisation);
        }
    }

    /** The control plane's jobs: file outputs, which follow streams through this node's hubs. */
    final class Origin implements RoleStarter {
        @Override
        public Role role() {
            return Role.ORIGIN;
        }

        @Override
        public void start(NodeServices node) {
            node.fileOutputs = new FileOutputs(node.vertx, node.hubs(), Path.of(node.config.value(NodeSettings.DATA_DIR)),
                    node.keySecret, node.packaging);
            String hls = node.config.value(NodeSettings.AUTO_HLS_FOLDER);
            if (!hls.isEmpty()) {
                node.fileOutputs.auto(FileOutputSpec.Kind.HLS, hls);
            }
            String dash = node.config.value(NodeSettings.AUTO_DASH_FOLDER);
            if (!dash.isEmpty()) {
                node.fileOutputs.auto(FileOutputSpec.Kind.DASH, dash);
            }
        }
    }
}
