package org.elasticsearch.node;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A single Elasticsearch node built from Maven Central's jars, for npm start and the tests
 * (scripts/stack/servers/elasticsearch.ts). Elastic ships no entry point for running from jars: the
 * normal bootstrap expects the distribution's layout (modules/, config/, the launcher's JVM options),
 * so this builds the node the way Elasticsearch's own test framework does. In this package because
 * NodeConstruction and NodeServiceProvider are package-private.
 *
 * Usage: LocalNode HOME_DIR PROCESSORS. Binds HTTP to a free loopback port and prints
 * "regflow-es listening on http://127.0.0.1:PORT after N ms"; stops cleanly on SIGTERM.
 */
public final class LocalNode {
    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path home = Path.of(args[0]).toAbsolutePath();
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "regflow-local")
            .put("node.name", "regflow-local")
            .put("node.processors", args[1])
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            // A laptop's nearly full disk would otherwise make the indices read-only, far from the cause.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        // Reads HOME_DIR/config/log4j2.properties (written by the stack) and logs to the console.
        Environment environment = new Environment(settings, null);
        LogConfigurator.setNodeName("regflow-local");
        LogConfigurator.configure(environment, true);

        PluginsLoader noBundles = PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false);
        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment environment, PluginsLoader loader) {
                // transport-netty4 is the HTTP server; everything else the node needs is in the server jar.
                return new ClasspathPluginsService(environment.settings(), loader, List.of(Netty4Plugin.class));
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, noBundles, provider, true));
        node.start();
        // Every thread of the node is a daemon: like Elasticsearch's own bootstrap, hold the JVM open
        // with the main thread until SIGTERM runs the shutdown hook.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }, "regflow-es-shutdown"));
        var address = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        System.out.printf("regflow-es listening on http://%s after %d ms%n", address,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        stopped.await();
    }
}
