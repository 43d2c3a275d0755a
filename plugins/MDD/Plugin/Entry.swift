// The plugin entry points of libSmearMDD.so (see SmearAdapt/Plugins.swift).
import MDDMethod
import SmearAdapt

@_cdecl("smear_plugin_abi_version")
public func smearPluginABIVersion() -> Int32 { pluginABIVersion }

@_cdecl("smear_plugin_descriptor")
public func smearPluginDescriptor() -> UnsafeMutableRawPointer { Unmanaged.passRetained(MDD.descriptor).toOpaque() }
