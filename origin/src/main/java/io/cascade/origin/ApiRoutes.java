package io.cascade.origin;

import io.vertx.ext.web.Router;

/** A group of API verbs that lives apart from {@link ApiServer} (load balancing, relays) and adds its routes to it. */
public interface ApiRoutes {
    /** Adds the group's {@code /api/<verb>} routes. */
    void routes(Router router);
}
