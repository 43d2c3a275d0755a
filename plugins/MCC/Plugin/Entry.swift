// The plugin entry points of libSmearMCC.so (see SmearAdapt/Plugins.swift).
import MCCMethod
import SmearAdapt

@_cdecl("smear_plugin_abi_version")
public func smearPluginABIVersion() -> Int32 { pluginABIVersion }

@_cdecl("smear_plugin_descriptor")
public func smearPluginDescriptor() -> UnsafeMutableRawPointer { Unmanaged.passRetained(MinimumClassConfusion.descriptor).toOpaque() }
