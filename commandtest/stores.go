package commandtest

import (
	"context"
	"fmt"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Certificate stores, in Command's wire shapes.
type (
	StoreType           = model.StoreType           // a certificate store type (CertificateStoreTypeResponse)
	StoreInput          = model.StoreInput          // a certificate store as created (POST /CertificateStores)
	CertificateStore    = model.CertificateStore    // a certificate store as answered
	ContainerInput      = model.ContainerInput      // a certificate store container as created
	StoreEntry          = model.ObservedEntry       // an entry an orchestrator sees in a store
	StoreCertificate    = model.ObservedCertificate // a certificate of a StoreEntry: PEM, or its members
	InventoryEntry      = model.InventoryEntry      // an entry of Command's inventory of a store
	DiscoverableStores  = model.DiscoverySpec       // store paths a discovery job finds
	StoreTypeProperty   = model.StoreTypeProperty   // a custom field of a store type
	SupportedOperations = model.SupportedOperations // what a store type supports
)

// SeedStoreTypes adds or replaces certificate store types (by StoreType
// id) and returns them as stored. Like a storetypes.json fixture.
func (s *Server) SeedStoreTypes(types ...StoreType) ([]StoreType, error) {
	f, err := s.mock.Seed(context.Background(), model.Fixtures{StoreTypes: types})
	if err != nil {
		return nil, fmt.Errorf("seed store types: %w", err)
	}
	return f.StoreTypes, nil
}

// SeedContainers adds or replaces certificate store containers (by Id; 0
// takes the next free one). Like a containers.json fixture.
func (s *Server) SeedContainers(containers ...ContainerInput) error {
	if _, err := s.mock.Seed(context.Background(), model.Fixtures{Containers: containers}); err != nil {
		return fmt.Errorf("seed containers: %w", err)
	}
	return nil
}

// SeedStores adds or replaces certificate stores (by Id; a missing Id is
// generated) and returns them as GET /CertificateStores/{id} answers. Each
// is checked as POST /CertificateStores checks it (its orchestrator must
// advertise CertStores.<Capability>.Inventory); Approved false makes a
// discovered store awaiting approval.
func (s *Server) SeedStores(stores ...StoreInput) ([]CertificateStore, error) {
	f, err := s.mock.Seed(context.Background(), model.Fixtures{Stores: stores})
	if err != nil {
		return nil, fmt.Errorf("seed stores: %w", err)
	}
	out := make([]CertificateStore, len(f.Stores))
	for i, st := range f.Stores {
		if out[i], err = s.mock.CertificateStore(context.Background(), st.Id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetStoreContents sets what the orchestrator sees in the store: the
// entries its next inventory job reports to Command ("this PEM store holds
// these certificates"). Like PUT /_mock/stores/{id}/contents.
func (s *Server) SetStoreContents(storeID string, entries ...StoreEntry) ([]StoreEntry, error) {
	if entries == nil {
		entries = []StoreEntry{}
	}
	return s.mock.SetStoreContents(context.Background(), storeID, entries)
}

// StoreContents returns what the orchestrator sees in the store.
func (s *Server) StoreContents(storeID string) ([]StoreEntry, error) {
	return s.mock.StoreContents(context.Background(), storeID)
}

// Inventory returns Command's inventory of the store: what its last
// completed inventory job reported.
func (s *Server) Inventory(storeID string) ([]InventoryEntry, error) {
	return s.mock.Inventory(context.Background(), storeID)
}

// SetDiscoverable sets the store paths of a type that an orchestrator
// finds on a machine (its own when ClientMachine is empty) when it runs a
// discovery job. Like PUT /_mock/discovery.
func (s *Server) SetDiscoverable(d DiscoverableStores) (DiscoverableStores, error) {
	return s.mock.SetDiscoverable(context.Background(), d)
}

// PEMEntry is a StoreEntry holding one certificate given as PEM text.
func PEMEntry(alias, pem string) StoreEntry {
	return StoreEntry{Alias: alias, Certificates: []StoreCertificate{{PEM: pem}}}
}
