package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// What an orchestrator sees on its machines is the mock's to arrange: the
// entries in a store that its next inventory job reports, and the store
// paths a discovery job finds. Command only learns them when those jobs
// complete.

// SetStoreContents replaces what the orchestrator sees in the store id
// (a GUID; unknown: NotFound) and returns it as kept, each certificate's
// members read from its PEM.
func (m *Mock) SetStoreContents(ctx context.Context, id string, entries []model.ObservedEntry) ([]model.ObservedEntry, error) {
	storeID, err := model.PathGUID("Certificate store", id)
	if err != nil {
		return nil, err
	}
	return m.store.SetObserved(ctx, storeID, entries)
}

// StoreContents returns what the orchestrator sees in the store id.
func (m *Mock) StoreContents(ctx context.Context, id string) ([]model.ObservedEntry, error) {
	storeID, err := model.PathGUID("Certificate store", id)
	if err != nil {
		return nil, err
	}
	return m.store.Observed(ctx, storeID)
}

// SetDiscoverable replaces the store paths of a type that an orchestrator
// finds on a machine (its own when ClientMachine is empty) when it runs a
// discovery job.
func (m *Mock) SetDiscoverable(ctx context.Context, d model.DiscoverySpec) (model.DiscoverySpec, error) {
	return m.store.SetDiscoverable(ctx, d)
}

// Discoverable lists what every orchestrator would discover.
func (m *Mock) Discoverable(ctx context.Context) ([]model.DiscoverySpec, error) {
	return m.store.Discoverable(ctx)
}

// CertificateStore returns the certificate store id as GET /CertificateStores/{id}
// answers it, after the runs that have fallen due complete.
func (m *Mock) CertificateStore(ctx context.Context, id string) (model.CertificateStore, error) {
	storeID, err := model.PathGUID("Certificate store", id)
	if err != nil {
		return model.CertificateStore{}, err
	}
	if err := m.RunDue(ctx); err != nil {
		return model.CertificateStore{}, err
	}
	doc, err := m.store.GetStore(ctx, storeID)
	if err != nil {
		return model.CertificateStore{}, err
	}
	var st model.CertificateStore
	if err := json.Unmarshal(doc, &st); err != nil {
		return model.CertificateStore{}, fmt.Errorf("stored store %s: %w", storeID, err)
	}
	return st, nil
}

// Inventory returns Command's whole inventory of the store id, as the
// pages of GET /CertificateStores/{id}/Inventory hold it, after the runs
// that have fallen due complete.
func (m *Mock) Inventory(ctx context.Context, id string) ([]model.InventoryEntry, error) {
	storeID, err := model.PathGUID("Certificate store", id)
	if err != nil {
		return nil, err
	}
	if err := m.RunDue(ctx); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.store.InventoryPage(ctx, storeID, store.ListOptions{Page: 1, Limit: math.MaxInt32}, &buf); err != nil {
		return nil, err
	}
	var out []model.InventoryEntry
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("inventory of store %s: %w", storeID, err)
	}
	return out, nil
}
