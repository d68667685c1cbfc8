package org.elasticsearch.plugins;

import org.elasticsearch.common.settings.Settings;

import java.util.List;

/**
 * Loads plugins from the classpath instead of the distribution's modules/ folder, which a node built
 * from Maven Central's jars does not have. Lives in this package because LoadedPlugin is package-private.
 */
public class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> plugins;

    public ClasspathPluginsService(Settings settings, PluginsLoader emptyLoader, List<Class<? extends Plugin>> classes) {
        super(settings, null, emptyLoader);
        ClassLoader loader = ClasspathPluginsService.class.getClassLoader();
        plugins = classes.stream().map(type -> {
            var descriptor = new PluginDescriptor(type.getName(), "loaded from the classpath", "NA",
                org.elasticsearch.Version.CURRENT.toString(), "21", type.getName(), null, List.of(),
                false, false, false, false, PluginDescriptor.DeploymentTarget.ALL);
            return new LoadedPlugin(descriptor, loadPlugin(type, settings, null), loader);
        }).toList();
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return plugins;
    }
}
