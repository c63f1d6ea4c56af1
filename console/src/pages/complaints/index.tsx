import { Route, Routes } from 'react-router';
import { Case } from './Case';
import { Intake } from './Intake';
import { Queue } from './Queue';

/** The complaints area: the queue (/complaints), intake (/complaints/new), a case (/complaints/:id). */
export default function ComplaintsArea() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path="new" element={<Intake />} />
      <Route path=":complaintId" element={<Case />} />
    </Routes>
  );
}
