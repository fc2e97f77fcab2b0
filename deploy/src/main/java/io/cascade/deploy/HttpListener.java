package io.cascade.deploy;

import io.cascade.cluster.NodeLoad;
import io.cascade.deploy.NodeConfig.Role;
import io.cascade.edge.fanout.ViewerPolicy;
import io.cascade.edge.flv.FlvPlayback;
import io.cascade.edge.http.HttpDelivery;
import io.cascade.edge.http.VodDelivery;
import io.cascade.edge.player.PlayerPages;
import io.cascade.edge.ws.WsPlayback;
import io.cascade.settings.Setting;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HTTP on {@code http.port}: metrics and health on every node; HLS and DASH, HTTP-FLV ({@code /<stream>.flv}),
 * fMP4 over WebSocket ({@code /<stream>/ws}), the JSON data channel ({@code /<stream>/meta}) and the player pages ({@code /}, {@code /play/<stream>}) on edge nodes.
 * {@link Tls} serves the same routes over TLS on {@code https.port}, with the same counters.
 */
class HttpListener implements Listener {
    /** Longest HTTP request line accepted; longer ones get 414 and no state is created. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    static final Setting<Integer> PORT = Setting.port("http.port", 8888,
            "`/metrics`, `/healthz`, `/readyz`, and on edge nodes HLS, DASH, HTTP-FLV and WebSocket playback (below);"
                    + " `0` disables");
    static final Setting<Integer> TLS_PORT = Setting.port("https.port", 0,
            "the routes of `http.port` (playlists, segments, WSS, FLV, player pages, metrics) over TLS (`tls.cert`,"
                    + " `tls.key`); `0` disables");

    @Override
    public String name() {
        return "http";
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
        return List.of(HttpDelivery.PROTOCOL, FlvPlayback.PROTOCOL, WsPlayback.PROTOCOL, WsPlayback.META_PROTOCOL);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(HttpDelivery.LINGER_MS, HttpConnections.MAX_CONNECTIONS, HttpConnections.REQUEST_DEADLINE_MS,
                HttpConnections.KEEPALIVE_TIMEOUT_MS);
    }

    @Override
    public boolean wanted(Set<Role> roles) {
        return true; // every node answers /metrics, /healthz and /readyz
    }

    @Override
    public Map<String, String> playUrls() {
        String http = "http://" + HOST + "/" + NodeLoad.STREAM;
        return Map.of(HttpDelivery.HLS, http + "/index.m3u8", HttpDelivery.DASH, http + "/index.mpd",
                FlvPlayback.PROTOCOL, http + ".flv",
                WsPlayback.PROTOCOL, "ws://" + HOST + "/" + NodeLoad.STREAM + "/ws");
    }

    @Override
    public Future<Bound> start(NodeServices node, Endpoint at) {
        HttpConnections bounds = new HttpConnections(node.vertx, node.config,
                node.counters.protocol(HttpDelivery.PROTOCOL), name());
        return node.vertx.createHttpServer(serverOptions(node.config)).connectionHandler(bounds::opened)
                .requestHandler(bounds.requests(router(node))).listen(at.port(), at.host())
                .map(server -> new Bound(at.host(), server.actualPort(), routes(node)));
    }

    /** What the startup line says the port serves. */
    static String routes(NodeServices node) {
        return "/metrics /healthz /readyz" + (!node.roles.contains(Role.EDGE) ? ""
                : " /<stream>/index.m3u8 /<stream>/ts/index.m3u8 /<stream>/index.mpd /<stream>.flv"
                + " /<vod app>/<file>/index.m3u8 /<vod app>/<file>/index.mpd"
                + " /<stream>/ws /<stream>/meta /play/<stream>");
    }

    static HttpServerOptions serverOptions(NodeConfig config) {
        HttpServerOptions options = new HttpServerOptions();
        int sendBuffer = config.value(ViewerPolicy.SOCKET_SEND_BYTES);
        if (sendBuffer > 0) {
            // as for RTMP: HTTP-FLV and WebSocket viewers are HTTP connections, and a fixed kernel buffer makes one
            // that stops reading reach its queue limit, and its disconnection, in seconds rather than megabytes
            options.setSendBufferSize(sendBuffer);
        }
        return options.setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
                // HTTP/1.1 only: with h2c prior knowledge on, a connection exists for the server only after its first
                // bytes, so a socket that sends nothing would escape the connection bound and the request deadline
                .setHttp2ClearTextEnabled(false)
                // WebSocket viewers have little to send (/meta: up to 64 KiB, checked there): a small bound per
                // message, and no compression of media
                // (it would not shrink, and would be done once per viewer instead of once per stream)
                .setMaxWebSocketFrameSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(WsPlayback.MAX_MESSAGE_BYTES)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
    }

    /** The node's routes, built once and shared by the HTTP and HTTPS servers (one delivery state per node). */
    static synchronized Router router(NodeServices node) {
        if (node.httpRouter != null) {
            return node.httpRouter;
        }
        Router router = Router.router(node.vertx);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(node.meters));
        router.get("/healthz").handler(node.health.livenessHandler());
        router.get("/readyz").handler(node.health.readinessHandler());
        if (node.roles.contains(Role.EDGE)) {
            int queueBytes = node.config.value(ViewerPolicy.QUEUE_BYTES);
            router.routeWithRegex(FlvPlayback.PATH_REGEX).handler(new FlvPlayback(node.playback, node.registry,
                    node.counters, queueBytes));
            WsPlayback ws = new WsPlayback(node.vertx, node.playback, node.registry, node.counters, queueBytes);
            router.routeWithRegex(WsPlayback.PATH_REGEX).handler(ws);
            router.get(WsPlayback.PLAYER_SCRIPT_PATH).handler(ws::playerScript);
            PlayerPages pages = new PlayerPages(node.registry, node.playback);
            router.get("/").handler(pages::index);
            router.get("/favicon.ico").handler(pages::favicon);
            router.getWithRegex(PlayerPages.PLAY_PATH_REGEX).handler(pages::play);
            router.getWithRegex(PlayerPages.LIBRARY_PATH_REGEX).handler(pages::library);
            HttpDelivery delivery = new HttpDelivery(node.vertx, node.hubs(), node.registry, node.packaging,
                    node.config.value(HttpDelivery.LINGER_MS), node.counters, node.playback);
            router.get("/time").handler(delivery::time);
            // files first: a path whose first segment is a VOD application and that names a file there is one
            router.route().handler(new VodDelivery(node.vodFiles(), node.playback, node.counters));
            router.route().handler(delivery);
        }
        node.httpRouter = router;
        return router;
    }

    /** HTTPS on {@code https.port}: the same routes over TLS with the node's certificate. */
    static final class Tls extends HttpListener {
        @Override
        public String name() {
            return "https";
        }

        @Override
        public Map<String, String> playUrls() {
            return Map.of(); // the load balancer hands out the plain form; a client that wants this one asks for it
        }

        @Override
        Setting<Integer> port() {
            return TLS_PORT;
        }

        @Override
        public List<Setting<?>> settings() {
            return List.of();
        }

        @Override
        public boolean tls(NodeConfig config) {
            return true;
        }

        @Override
        public Future<Bound> start(NodeServices node, Endpoint at) {
            HttpServerOptions options = serverOptions(node.config).setSsl(true)
                    .setKeyCertOptions(node.tls.sslOptions().getKeyCertOptions());
            HttpConnections bounds = new HttpConnections(node.vertx, node.config,
                    node.counters.protocol(HttpDelivery.PROTOCOL), name()); // counted as http, as its bytes are
            return node.vertx.createHttpServer(options).connectionHandler(bounds::opened)
                    .requestHandler(bounds.requests(router(node))).listen(at.port(), at.host())
                    .map(server -> {
                        node.tls.register(server::updateSSLOptions);
                        return new Bound(at.host(), server.actualPort(), "TLS, " + routes(node));
                    });
        }
    }
}
