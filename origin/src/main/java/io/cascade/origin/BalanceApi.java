package io.cascade.origin;

import io.cascade.cluster.Addresses;
import io.cascade.cluster.LoadBalance;
import io.cascade.cluster.LoadBoard;
import io.cascade.cluster.NodeLoad;
import io.cascade.media.StreamNames;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.Set;

/**
 * The API verbs of load balancing: {@code pickEdge stream=.. protocol=rtmp|rtsp|hls|dash|flv|ws} and
 * {@code pickIngest stream=.. protocol=rtmp|rtsp} answer the URL on the least-loaded node that can take the client
 * ({@link LoadBalance}); {@code listNodes} shows every node's last load report; {@code drainNode node=..} and
 * {@code undrainNode node=..} take a node out of service and back, whichever origin node is asked.
 */
public final class BalanceApi implements ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(BalanceApi.class);
    /** How long a drain order waits for its node's answer. */
    static final long DRAIN_TIMEOUT_MS = 5_000;

    private final Vertx vertx;
    private final LoadBoard board;
    private final LoadBalance balance;

    public BalanceApi(Vertx vertx, LoadBoard board, LoadBalance balance) {
        this.vertx = vertx;
        this.board = board;
        this.balance = balance;
    }

    @Override
    public void routes(Router router) {
        router.route("/api/pickEdge").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> pick(ctx, LoadBalance.Want.PLAY));
        router.route("/api/pickIngest").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> pick(ctx, LoadBalance.Want.PUBLISH));
        router.route("/api/listNodes").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::listNodes);
        router.route("/api/drainNode").method(HttpMethod.GET).method(HttpMethod.POST).handler(ctx -> drain(ctx, true));
        router.route("/api/undrainNode").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> drain(ctx, false));
    }

    /** The protocols are those the nodes' listeners report: a protocol no node serves is a bad parameter. */
    private void pick(RoutingContext ctx, LoadBalance.Want want) {
        String stream = ApiServer.param(ctx, "stream");
        String protocol = ApiServer.param(ctx, "protocol");
        if (stream == null || !StreamNames.isValid(stream)) {
            ApiServer.fail(ctx, 400, "stream must be a stream name");
            return;
        }
        board.all().onComplete(ar -> {
            if (ar.failed()) {
                ApiServer.fail(ctx, 503, "node loads unavailable: " + ar.cause().getMessage());
                return;
            }
            Set<String> served = LoadBalance.protocols(ar.result(), want);
            if (protocol == null || !served.contains(protocol)) {
                ApiServer.fail(ctx, 400, "protocol must be one of " + String.join(", ", served));
                return;
            }
            NodeLoad n = balance.pick(ar.result(), want, protocol, stream, null, System.currentTimeMillis());
            if (n == null) {
                ApiServer.fail(ctx, 503, "no node that serves " + protocol + " can take a client now");
                return;
            }
            String url = LoadBalance.url(n, want, protocol, stream);
            ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "least loaded: " + n.node())
                    .put("data", new JsonObject().put("node", n.node()).put("url", url)));
        });
    }

    private void listNodes(RoutingContext ctx) {
        board.all().onComplete(ar -> {
            if (ar.failed()) {
                ApiServer.fail(ctx, 503, "node loads unavailable: " + ar.cause().getMessage());
                return;
            }
            JsonArray nodes = new JsonArray();
            ar.result().stream().sorted(Comparator.comparing(NodeLoad::node))
                    .forEach(n -> nodes.add(n.toJson().put("cost", balance.cost(n))));
            ctx.json(new JsonObject().put("status", "SUCCESS").put("description", nodes.size() + " nodes")
                    .put("data", nodes));
        });
    }

    private void drain(RoutingContext ctx, boolean drain) {
        String node = ApiServer.param(ctx, "node");
        if (node == null || node.isEmpty() || node.length() > StreamNames.MAX_LENGTH) {
            ApiServer.fail(ctx, 400, "node must name a node (listNodes shows them)");
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.drain(node), new JsonObject().put("drain", drain),
                new DeliveryOptions().setSendTimeout(DRAIN_TIMEOUT_MS)).onComplete(ar -> {
            if (ar.succeeded()) {
                log.info("{} node {}", drain ? "drain" : "undrain", node);
                ctx.json(new JsonObject().put("status", "SUCCESS")
                        .put("description", node + (drain ? " is draining" : " takes clients again"))
                        .put("data", ar.result().body()));
            } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
                ApiServer.fail(ctx, 404, "no node " + node + " in the cluster");
            } else {
                ApiServer.fail(ctx, 503, "node " + node + " did not answer: " + ar.cause().getMessage());
            }
        });
    }
}
