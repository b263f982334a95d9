/**
 * The web console (docs/web.md): {@link io.labhub.web.internal.WebConsole} owns the configuration and the access
 * rule, configures Felix HTTP's Jetty and registers the servlets on the Servlet Whiteboard; one class per endpoint.
 * Nothing here is exported.
 */
@org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard
package io.labhub.web.internal;
