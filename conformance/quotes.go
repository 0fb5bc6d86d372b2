package conformance

// quotes holds, for each rule, the sentence of Microsoft's documentation it
// comes from, verbatim but for Markdown, from the page its Source names.
var quotes = map[string]string{
	"SD-01":   "If your provider is a message store provider, it can be shut down in one of the following ways: When a client or the MAPI spooler calls IMsgStore::StoreLogoff.",
	"SD-02":   "If your provider is a message store provider, it can be shut down in one of the following ways: [...] When a client calls IMAPISession::Logoff.",
	"SD-03":   "Some clients might omit the call to IMsgStore::StoreLogoff, initiating the shutdown of your message store provider with the call to the message store's IUnknown::Release method. [...] Write your message store's Release method to handle this possibility and keep track of whether or not a call to IMAPISupport::StoreLogoffTransports has occurred.",
	"STLT-01": "StoreLogoffTransports must be called once during the shutdown process.",
	"STLT-02": "Your implementation of IMsgStore::StoreLogoff should begin by calling IMAPISupport::StoreLogoffTransports to inform MAPI that it is being shut down (shutting-down-a-message-store-provider.md). / Do not call StoreLogoffTransports until the message store's reference count drops to zero (imsgstore-storelogoff.md).",
	"STLT-03": "That is, if a client called your StoreLogoff method with ulFlags set to LOGOFF_ORDERLY, you should call StoreLogoffTransports with ulFlags set to LOGOFF_ORDERLY.",
	"STLT-04": "If you detect in your Release method that StoreLogoffTransports has not yet been called, invoke it with the LOGOFF_ABORT flag.",
	"STLT-05": "Your implementation of IMsgStore::StoreLogoff should begin by calling IMAPISupport::StoreLogoffTransports [...] Implement this Release method by calling the support object's IUnknown::Release method. [...] Write your message store's Release method to handle this possibility and keep track of whether or not a call to IMAPISupport::StoreLogoffTransports has occurred.",
	"STLT-06": "Save the flags that are passed to StoreLogoff and pass them when you call the IMAPISupport::StoreLogoffTransports method. [...] Multiple calls to StoreLogoffTransports simply overwrite the saved flags.",
	"STLT-07": "The behavior of the store provider following the return from StoreLogoffTransports should be based on the value of lpulFlags, which indicates system status and conveys client instructions for logoff behavior.",
	"STLT-08": "On input, all flags for this parameter are mutually exclusive; only one of the following flags can be set per call: LOGOFF_ABORT [...] LOGOFF_NO_WAIT [...] LOGOFF_ORDERLY [...] LOGOFF_PURGE [...] LOGOFF_QUIET",
	"SL-01":   "On input, all flags set for this parameter are mutually exclusive; a caller must specify only one flag per call. [...] S_OK: The logoff completed successfully.",
	"SL-02":   "The following flags are valid on output [...] LOGOFF_INBOUND: Inbound messages are currently arriving. LOGOFF_OUTBOUND: Outbound messages are in the process of being sent. LOGOFF_OUTBOUND_QUEUE: Outbound messages are pending (that is, they are in the Outbox).",
	"SL-03":   "On input, all flags set for this parameter are mutually exclusive; a caller must specify only one flag per call.",
	"SL-04":   "Do not call StoreLogoffTransports until the message store's reference count drops to zero.",
	"RL-01":   "When IMsgStore::StoreLogoff returns, its caller invokes your message store's IUnknown::Release method. Implement this Release method by calling the support object's IUnknown::Release method.",
	"RL-02":   "Do not call StoreLogoffTransports until the message store's reference count drops to zero.",
	"RL-03":   "Implement this Release method by calling the support object's IUnknown::Release method. MAPI performs the following tasks in its implementation of IUnknown::Release for message stores: [...]",
	"RL-04":   "LOGOFF_COMPLETE: The logoff can complete. All resources associated with the store have been released, and the object has been invalidated. [...] Only the message store's IUnknown::Release method should be called at this point.",
	"E-01":    "MAPI performs the following tasks in its implementation of IUnknown::Release for message stores: 1. Removes all of the MAPIUID structures registered by the message store provider.",
	"E-02":    "2. Removes the message store provider's row from the status table.",
	"E-03":    "3. Calls IMSLogon::Logoff to release all open objects, subobjects, and status objects.",
	"E-04":    "4. Calls IUnknown::Release to release the message store provider's logon object.",
	"E-05":    "MAPI performs the following tasks in its implementation of IUnknown::Release for message stores: 1. [...] 2. [...] 3. [...] 4. [...]",
	"LG-01":   "For any Logon call that opens a message store and succeeds in creating a message store logon object, the provider must save a pointer to the MAPI support object in the store logon object and must call the IUnknown::AddRef method to add a reference for the support object.",
	"LG-02":   "ulFlags: Reserved; must be zero. [...] Call SetProviderUID at logon time to register your MAPIUID structure.",
	"LG-03":   "After successfully logging on a user, and before returning to MAPI, the store provider should create the array of properties for the status row for the resource and call the IMAPISupport::ModifyStatusRow method (imsprovider-logon.md). / Service providers call ModifyStatusRow at logon time to add a row to the status table and at other times during the session to update the row (imapisupport-modifystatusrow.md).",
	"LG-04":   "lpulFlags: [in] Reserved; must be a pointer to zero. [...] S_OK: The call succeeded and has returned the expected value or values.",
	"LG-05":   "The two objects should also be created together and freed together.",
	"SS-01":   "When a client calls the IMAPISession::Logoff method to end the session and shut down all active service providers, MAPI in turn calls the following methods: [...] IMSLogon::Logoff for message store providers. [...] When your logoff method returns, MAPI calls the following: Your logon object's IUnknown::Release method. Your provider object's Shutdown method to perform any final cleanup tasks. [...] Your provider object's IUnknown::Release method (shutting-down-a-service-provider.md).",
	"SS-02":   "StoreLogoffTransports must be called once during the shutdown process.",
	"SS-03":   "MAPI calls the IMSProvider::Shutdown method just before releasing the message store provider object. MAPI releases all logon objects for a provider before calling Shutdown for that provider.",
	"SS-04":   "If your provider is a message store, a client call to IMsgStore::StoreLogoff will also initiate the shutdown process. StoreLogoff shuts down one particular message store provider and has no effect on the session.",
	"RB-01":   "StoreLogoffTransports must be called once during the shutdown process.",
	"SP-01":   "The MAPI spooler calls the IMSProvider::SpoolerLogon method to log on to a message store (imsprovider-spoolerlogon.md). / LOGOFF_ORDERLY: The MAPI spooler should release the store and return control to the client immediately after any pending messages are finished processing (imapisupport-storelogofftransports.md).",
	"SP-02":   "For consistency with the IMSProvider::Logon method, the provider also returns a message store logon object in the lppMSLogon parameter. [...] The two objects are created together and freed together.",
	"SL-05":   "The behavior of the store provider following the return from StoreLogoffTransports should be based on the value of lpulFlags, which indicates system status and conveys client instructions for logoff behavior. [...] LOGOFF_QUIET: The logoff should not occur if any transport provider activity is taking place. The type of activity taking place is returned as a flag on output.",
	"LG-06":   "Logon calls that open message stores that are already open for the current MAPI session skip much of the processing previously described. These calls do not create status rows, return message store logon objects, call AddRef for the MAPI support object, or return data for MAPI spooler logon. These calls do return S_OK and return a message store object with the requested interface.",
	"SS-05":   "S_OK: The call succeeded and returned the expected value or values. [...] MAPI releases all logon objects for a provider before calling Shutdown for that provider.",
	"RB-02":   "Because AddRef and Release are not required to return accurate values, callers of these methods must not use the return values to determine whether an object is still valid or has been destroyed.",
}

// Quote returns the documentation sentence the rule comes from.
func (r Rule) Quote() string { return quotes[r.ID] }

// amendments are where the suite, following Microsoft's pages, reads a rule
// more precisely than RULES.md; the catalogue and failures show them.
var amendments = map[string]string{
	"SL-02":   "imsgstore-storelogoff.md lists only LOGOFF_INBOUND, LOGOFF_OUTBOUND and LOGOFF_OUTBOUND_QUEUE as valid on output; LOGOFF_COMPLETE is an output of StoreLogoffTransports. RULES.md also allows LOGOFF_COMPLETE; the suite does too, except with Config.Strict.",
	"SL-04":   "The Remarks of imsgstore-storelogoff.md say that when two clients use the same store and one calls StoreLogoff, \"the message store is immediately released and control is returned to the calling client\". That is MAPI's side; the notes to implementers on the same page keep the provider's teardown for the last Release, which is what SL-04 checks.",
	"STLT-07": "imapisupport-storelogofftransports.md documents only S_OK as a return value; MAPI_E_NO_SUPPORT comes from RULES.md (Microsoft's sample store tolerates it), and the suite keeps it. The same page says that with LOGOFF_QUIET \"the logoff should not occur if any transport provider activity is taking place\", which LOGOFF_INBOUND, LOGOFF_OUTBOUND and LOGOFF_OUTBOUND_QUEUE report; that is the transports' logoff. The store still ends at its last Release, which cannot refuse, and that is all STLT-07 judges (with LOGOFF_ORDERLY).",
	"STLT-06": "imsgstore-storelogoff.md literally says \"Multiple calls to StoreLogoffTransports simply overwrite the saved flags\"; the saved flags are StoreLogoff's, so the suite, with RULES.md, reads it as repeated StoreLogoff calls.",
	"SS-02":   "No page says that StoreLogoffTransports is called on the IMAPISession::Logoff path: shutting-down-a-service-provider.md lists only IMSLogon::Logoff, the logon object's Release, Shutdown and the provider's Release. SS-02 is RULES.md's reading of the seed page's \"must be called once during the shutdown process\". The simulated session, like MAPI, first releases the references its clients still hold, so that for the provider this path is the Release-only path.",
	"RL-02":   "RULES.md writes \"no STLT (profile deferred)\"; the suite checks it in both profiles. In the immediate profile StoreLogoffTransports belongs to StoreLogoff or, on the Release-only path, to the Release that ends the store (\"If you detect in your Release method that StoreLogoffTransports has not yet been called\", shutting-down-a-message-store-provider.md); a Release that leaves references held has no reason to call it.",
	"RL-01":   "imslogon-logoff.md says MAPI calls IMSLogon::Logoff while processing the support's Release \"while it is processing an IMsgStore::StoreLogoff or IUnknown::Release method call\", which would let the support go inside StoreLogoff. The notes to implementers of imsgstore-storelogoff.md keep it for the last Release, as RULES.md does; the suite follows them (and SL-04).",
	"STLT-08": "RULES.md lacks this rule; the suite adds it from imapisupport-storelogofftransports.md. SL-03 lets StoreLogoff answer an invalid flag word with S_OK, and STLT-03 says STLT gets the caller's flag; neither lets a provider hand MAPI a flag word that StoreLogoffTransports does not accept.",
	"LG-01":   "RULES.md revision 2: the page asks for an AddRef, not exactly one; a provider may hand the support to a helper object that AddRefs it too (Kopano's store and its notification client each hold one). The balance at the store's end is RL-01's business. A Logon to a store already open, which must not AddRef the support, is LG-06.",
}
