package io.cascade.origin;

import io.cascade.media.StreamNames;
import io.cascade.relay.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The relay verbs, with EMS's names and parameters: {@code pullStream uri=.. localStreamName=.. [keepAlive=0|1]
 * [and the scheme's own options]}, {@code pushStream uri=.. localStreamName=.. [targetStreamName=..] ...},
 * {@code listPullPushConfig} and {@code removePullPushConfig id=..}. A relay belongs to the cluster: whichever origin
 * node is asked, it runs on one node that can (a pull on an ingest node, a push on an edge node).
 */
public final class RelayApi implements ApiRoutes {
    private final RelayControl relays;

    public RelayApi(RelayControl relays) {
        this.relays = relays;
    }

    @Override
    public void routes(Router router) {
        router.route("/api/pullStream").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> add(ctx, RelayConfig.Kind.PULL));
        router.route("/api/pushStream").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(ctx -> add(ctx, RelayConfig.Kind.PUSH));
        router.route("/api/listPullPushConfig").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::list);
        router.route("/api/removePullPushConfig").method(HttpMethod.GET).method(HttpMethod.POST).handler(this::remove);
    }

    private void add(RoutingContext ctx, RelayConfig.Kind kind) {
        String uri = ApiServer.param(ctx, "uri");
        String local = ApiServer.param(ctx, "localStreamName");
        if (uri == null || uri.isEmpty() || local == null) {
            ApiServer.fail(ctx, 400, "uri and localStreamName are required");
            return;
        }
        String target = ApiServer.param(ctx, "targetStreamName");
        if (kind == RelayConfig.Kind.PULL && target != null) {
            ApiServer.fail(ctx, 400, "targetStreamName belongs to pushStream");
            return;
        }
        String keepAlive = ApiServer.param(ctx, "keepAlive");
        if (keepAlive != null && !keepAlive.equals("0") && !keepAlive.equals("1")) {
            ApiServer.fail(ctx, 400, "keepAlive must be 0 or 1");
            return;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String name : relays.optionNames()) {
            String value = ApiServer.param(ctx, name);
            if (value != null) {
                options.put(name, value);
            }
        }
        RelayConfig config;
        try {
            String id = kind.name().toLowerCase(java.util.Locale.ROOT) + "-"
                    + (StreamNames.isValid(local) && local.length() <= 100 ? local + "-" : "")
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            config = new RelayConfig(id, kind, uri, local, target == null ? "" : target, !"0".equals(keepAlive), options);
        } catch (IllegalArgumentException e) {
            ApiServer.fail(ctx, 400, e.getMessage());
            return;
        }
        relays.add(config).onComplete(added -> {
            if (added.succeeded()) {
                ctx.json(new JsonObject().put("status", "SUCCESS")
                        .put("description", kind == RelayConfig.Kind.PULL ? "pulling " + local : "pushing " + local)
                        .put("data", shown(added.result())));
            } else if (added.cause() instanceof IllegalArgumentException e) {
                ApiServer.fail(ctx, 400, e.getMessage());
            } else {
                ApiServer.fail(ctx, 503, "relays unavailable: " + added.cause().getMessage());
            }
        });
    }

    /** A relay as lists show it: the URI without credentials or query. */
    static JsonObject shown(RelayConfig config) {
        return config.toJson().put("uri", config.redactedUri());
    }

    private void list(RoutingContext ctx) {
        relays.list().onComplete(listed -> {
            if (listed.failed()) {
                ApiServer.fail(ctx, 503, "relays unavailable: " + listed.cause().getMessage());
                return;
            }
            ctx.json(new JsonObject().put("status", "SUCCESS")
                    .put("description", listed.result().size() + " relays").put("data", listed.result()));
        });
    }

    private void remove(RoutingContext ctx) {
        String id = ApiServer.param(ctx, "id");
        if (id == null) {
            id = ApiServer.param(ctx, "configId");
        }
        if (id == null || !StreamNames.isValid(id)) {
            ApiServer.fail(ctx, 400, "id must name a relay (listPullPushConfig shows them)");
            return;
        }
        String named = id;
        Future<Boolean> removed = relays.remove(named);
        removed.onComplete(done -> {
            if (done.failed()) {
                ApiServer.fail(ctx, 503, "relays unavailable: " + done.cause().getMessage());
            } else if (!done.result()) {
                ApiServer.fail(ctx, 404, "no relay " + named);
            } else {
                ctx.json(new JsonObject().put("status", "SUCCESS").put("description", "removed " + named));
            }
        });
    }
}
