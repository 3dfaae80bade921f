/** The `parvis host`, `parvis user` and `parvis vm start|stop|save|query` commands: the host with its API, and thin API clients. */
package dev.parvis.wmi.cli;
