import { lazy, Suspense } from 'react';
import { Flex, Spin } from 'antd';
import { Route, Routes } from 'react-router';
import { Forbidden, RoleGate } from '../../components/RoleGate';
import surveys from '../../i18n/surveys';
import { useT } from '../../i18n';
import Builder from './Builder';
import SurveyList from './List';
import SurveyView from './SurveyView';

// The results page draws charts (ECharts) and the poster a QR code: each is its own
// chunk, loaded when opened.
const Results = lazy(() => import('./Results'));
const Poster = lazy(() => import('./Poster'));

function Loading() {
  const t = useT(surveys);
  return (
    <Flex justify="center" style={{ padding: 48 }} role="status">
      <Spin description={t('loading')} />
    </Flex>
  );
}

/** The surveys area: the list, a survey, its builder, results and QR poster. */
export default function SurveysArea() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<SurveyList />} />
        <Route
          path="new"
          element={
            <RoleGate action="survey.define" fallback={<Forbidden />}>
              <Builder />
            </RoleGate>
          }
        />
        <Route path=":surveyId" element={<SurveyView />} />
        <Route
          path=":surveyId/edit"
          element={
            <RoleGate action="survey.define" fallback={<Forbidden />}>
              <Builder />
            </RoleGate>
          }
        />
        <Route path=":surveyId/results" element={<Results />} />
        <Route
          path=":surveyId/poster"
          element={
            <RoleGate action="survey.link" fallback={<Forbidden />}>
              <Poster />
            </RoleGate>
          }
        />
      </Routes>
    </Suspense>
  );
}
