package io.cascade.deploy;

import io.cascade.auth.Authorisation;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.StreamHubs;
import io.cascade.files.VodFolders;
import io.cascade.vod.VodLibrary;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.vod.VodFileCache;
import io.cascade.packaging.PackageSettings;
import io.cascade.packaging.SegmentKeys;
import io.cascade.packaging.recording.Recordings;
import io.cascade.ingest.IngestStream;
import io.cascade.settings.Setting;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every setting of a node: the node's own (roles, listeners, files) declared here, the others by the component that
 * uses them. The order is the order of the README's table.
 */
final class NodeSettings {
    static final Setting<Set<Role>> ROLES = Setting.of("roles", "ingest,origin,edge",
            "one or more of ingest, origin, edge, comma-separated", NodeSettings::parseRoles,
            "which roles this node runs");
    static final Setting<String> BIND_HOST = Setting.text("bind.host", "0.0.0.0",
            "address of the RTMP (and RTMPS, RTMPT), RTSP, HTTP (and HTTPS) and MPEG-TS listeners");
    static final Setting<Integer> API_PORT = Setting.port("api.port", 7777, "runtime API (origin role); `0` disables");
    static final Setting<String> API_HOST = Setting.text("api.host", "127.0.0.1",
            "the API listens on loopback unless told otherwise");
    static final Setting<String> API_TOKEN = Setting.text("api.token", "",
            "when set, every API call needs `Authorization: Bearer <token>`; required when `api.host` is not a"
                    + " loopback address");
    static final Setting<Boolean> API_TLS = Setting.flag("api.tls", false,
            "`true`: the API is served over TLS (HTTPS) on `api.port`, with `tls.cert` and `tls.key`");
    static final Setting<String> NODE_NAME = Setting.text("node.name", "",
            "this node's id, owner of the streams it ingests; empty: a random one");
    static final Setting<String> DATA_DIR = Setting.text("data.dir", "data",
            "durable state: `ingest-points.json` on origin nodes; the API's file outputs are written inside it");
    static final Setting<Boolean> INGEST_POINTS_REQUIRED = Setting.flag("ingest.points.required", false,
            "`true`: publishers must publish to an ingest point's private name, and plays of private names are"
                    + " refused; set it on every ingest and edge node");
    static final Setting<String> AUTO_HLS_FOLDER = Setting.text("auto.hls.folder", "",
            "origin nodes write every stream that starts as HLS files under this folder (rolling playlist; absolute,"
                    + " or relative to `data.dir`)");
    static final Setting<String> AUTO_DASH_FOLDER = Setting.text("auto.dash.folder", "", "the same as DASH");

    static final List<Setting<?>> ALL = all();

    private NodeSettings() {
    }

    private static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(List.of(ROLES, BIND_HOST, RtmpListener.PORT, RtmpListener.TLS_PORT,
                RtmpListener.TUNNEL_PORT, RtspListener.PORT, HttpListener.PORT, HttpListener.TLS_PORT, API_PORT,
                API_HOST, API_TOKEN, API_TLS));
        all.addAll(NodeTls.SETTINGS);
        all.addAll(ClusterSetup.ALL);
        all.add(IngestStream.MAX_IN_FLIGHT_BYTES);
        all.addAll(List.of(NODE_NAME, NodeBalancing.PUBLIC_HOST, NodeBalancing.REDIRECT, NodeBalancing.CPU_HEADROOM,
                NodeBalancing.DRAIN_GRACE_MS, NodeMemory.BUDGET_BYTES,
                DATA_DIR, INGEST_POINTS_REQUIRED));
        all.addAll(Authorisation.SETTINGS);
        all.addAll(ViewerPolicy.SETTINGS);
        all.add(StreamHubs.LINGER_MS);
        all.add(IngestStream.SEGMENT_TARGET_MS);
        all.add(IngestStream.PLAYLIST_LENGTH);
        all.addAll(List.of(PackageSettings.PLAYLIST_TYPE, PackageSettings.DVR_SEGMENTS, PackageSettings.MAX_STREAM_BYTES,
                PackageSettings.MAX_NODE_PACKAGED_BYTES, SegmentKeys.KEY_COUNT, SegmentKeys.SECRET));
        Listener.ALL.forEach(l -> all.addAll(l.settings())); // what each protocol's listener reads
        all.addAll(List.of(AUTO_HLS_FOLDER, AUTO_DASH_FOLDER, Recordings.DIR, Recordings.MAX, VodFolders.FOLDER,
                VodFolders.FOLDERS, VodLibrary.MAX_PLAYS));
        all.addAll(VodFileCache.SETTINGS);
        all.addAll(List.of(NodeMetrics.STREAM_SERIES_MAX, NodeRelays.MAX_RELAYS,
                NodeRelays.STARTUP_FILE, NodeRelays.TLS_CA));
        return List.copyOf(all);
    }

    private static Set<Role> parseRoles(String text) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String r : text.split(",")) {
            if (r.isBlank()) {
                continue;
            }
            try {
                roles.add(Role.valueOf(r.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role " + r.trim());
            }
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("no role");
        }
        return Collections.unmodifiableSet(roles);
    }
}
